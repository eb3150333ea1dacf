import { describe, expect, it } from "vitest";
import {
  areaWeightedOutside,
  boxToPixels,
  chooseStripStrategy,
  concatArgs,
  concatListContent,
  cropFilter,
  decodeOnceStripArgs,
  edgeEnergyArgs,
  escapeDrawtext,
  escapeFilterValue,
  frameArgs,
  GRADE_PARAM_NAMES,
  GRADE_PARAMS,
  gradeFilter,
  lastFrameArgs,
  maskFilter,
  parsePsnr,
  parseSignalStats,
  parseSsim,
  psnrArgs,
  renderSegmentArgs,
  signalStatsArgs,
  ssimArgs,
  stripArgs,
} from "../../src/media/args/index.js";
import { placeholderImageArgs } from "../../src/providers/local/placeholder.js";
import {
  LOCAL_REGION_OPS,
  parseRegionOp,
  regionEditArgs,
  regionEditFilter,
} from "../../src/providers/local/regionOps.js";

describe("frameArgs", () => {
  it("seeks before the input and writes one JPEG at quality 3", () => {
    expect(frameArgs({ input: "/m/a.mp4", atSec: 37.3, output: "/o/f.jpg" })).toEqual([
      "-ss",
      "37.3",
      "-i",
      "/m/a.mp4",
      "-q:v",
      "3",
      "-frames:v",
      "1",
      "-update",
      "1",
      "/o/f.jpg",
    ]);
  });

  it("scales to a width and applies a filter before scaling", () => {
    expect(frameArgs({ input: "a.mp4", atSec: 0, width: 160, filter: "eq=brightness=0.3", output: "f.jpg" })).toEqual([
      "-ss",
      "0",
      "-i",
      "a.mp4",
      "-vf",
      "eq=brightness=0.3,scale=160:-2",
      "-q:v",
      "3",
      "-frames:v",
      "1",
      "-update",
      "1",
      "f.jpg",
    ]);
  });

  it("drops a null filter and never writes exponents", () => {
    const args = frameArgs({ input: "a.mp4", atSec: 1e-7, filter: "null", output: "f.jpg" });
    expect(args.slice(0, 4)).toEqual(["-ss", "0", "-i", "a.mp4"]);
    expect(args).not.toContain("-vf");
    expect(frameArgs({ input: "a", atSec: 1 / 3, output: "f" })[1]).toBe("0.333333");
  });

  it("lastFrameArgs seeks from the end and keeps overwriting one file", () => {
    expect(lastFrameArgs({ input: "a.mp4", width: 160, output: "f.jpg" })).toEqual([
      "-sseof",
      "-1",
      "-i",
      "a.mp4",
      "-vf",
      "scale=160:-2",
      "-q:v",
      "3",
      "-update",
      "1",
      "f.jpg",
    ]);
  });

  it("refuses negative and non-finite times", () => {
    expect(() => frameArgs({ input: "a", atSec: -1, output: "f" })).toThrow(RangeError);
    expect(() => frameArgs({ input: "a", atSec: Number.NaN, output: "f" })).toThrow(RangeError);
  });
});

describe("strips", () => {
  it("stripArgs: one run, one seeked input and one mapped output per time", () => {
    expect(stripArgs({ input: "v.mp4", times: [1, 2.5], outputs: ["s0.jpg", "s1.jpg"], width: 160 })).toEqual([
      "-ss",
      "1",
      "-i",
      "v.mp4",
      "-ss",
      "2.5",
      "-i",
      "v.mp4",
      "-map",
      "0:v:0",
      "-vf",
      "scale=160:-2",
      "-q:v",
      "3",
      "-frames:v",
      "1",
      "-update",
      "1",
      "s0.jpg",
      "-map",
      "1:v:0",
      "-vf",
      "scale=160:-2",
      "-q:v",
      "3",
      "-frames:v",
      "1",
      "-update",
      "1",
      "s1.jpg",
    ]);
  });

  it("decodeOnceStripArgs: one seek to the first time, a select branch per time relative to it", () => {
    expect(decodeOnceStripArgs({ input: "v.mp4", times: [2, 2.3, 2.6], outputs: ["a.jpg", "b.jpg", "c.jpg"] })).toEqual(
      [
        "-ss",
        "2",
        "-t",
        "1.6",
        "-i",
        "v.mp4",
        "-filter_complex",
        "[0:v]split=3[s0][s1][s2];" +
          "[s0]select='gte(t,0)*not(gte(prev_t,0))'[v0];" +
          "[s1]select='gte(t,0.3)*not(gte(prev_t,0.3))'[v1];" +
          "[s2]select='gte(t,0.6)*not(gte(prev_t,0.6))'[v2]",
        "-map",
        "[v0]",
        "-q:v",
        "3",
        "-frames:v",
        "1",
        "-update",
        "1",
        "a.jpg",
        "-map",
        "[v1]",
        "-q:v",
        "3",
        "-frames:v",
        "1",
        "-update",
        "1",
        "b.jpg",
        "-map",
        "[v2]",
        "-q:v",
        "3",
        "-frames:v",
        "1",
        "-update",
        "1",
        "c.jpg",
      ],
    );
  });

  it("refuses mismatched outputs", () => {
    expect(() => stripArgs({ input: "v", times: [1, 2], outputs: ["a"] })).toThrow(RangeError);
    expect(() => decodeOnceStripArgs({ input: "v", times: [], outputs: [] })).toThrow(RangeError);
  });

  it("chooseStripStrategy decodes once when frames are closer than a keyframe interval", () => {
    expect(chooseStripStrategy(1, 0, 1)).toBe("seek");
    expect(chooseStripStrategy(10, 9 * 0.25, 1)).toBe("decode");
    expect(chooseStripStrategy(10, 9 * 0.75, 1)).toBe("decode");
    expect(chooseStripStrategy(10, 9 * 1, 1)).toBe("seek");
    expect(chooseStripStrategy(10, 9 * 2, 1)).toBe("seek");
    expect(chooseStripStrategy(10, 9 * 2, 8.3)).toBe("decode");
  });
});

describe("gradeFilter", () => {
  it("is the null filter when every offset is 0 or missing", () => {
    expect(gradeFilter({})).toBe("null");
    expect(gradeFilter({ brightness: 0, contrast: 0, saturation: 0, temperature: 0, gamma: 0, hue_shift: 0 })).toBe(
      "null",
    );
  });

  it("maps each offset to its filter", () => {
    expect(gradeFilter({ brightness: 0.3 })).toBe("eq=brightness=0.3");
    expect(gradeFilter({ contrast: 0.2 })).toBe("eq=contrast=1.2");
    expect(gradeFilter({ saturation: -1 })).toBe("eq=saturation=0");
    expect(gradeFilter({ gamma: 1 })).toBe("eq=gamma=2");
    expect(gradeFilter({ gamma: -1 })).toBe("eq=gamma=0.5");
    expect(gradeFilter({ temperature: 1 })).toBe("colortemperature=temperature=3000:pl=1");
    expect(gradeFilter({ temperature: -0.5 })).toBe("colortemperature=temperature=8250:pl=1");
    expect(gradeFilter({ hue_shift: -90 })).toBe("hue=h=-90");
  });

  it("combines eq options in one filter, then temperature, then hue", () => {
    expect(
      gradeFilter({ brightness: -0.1, contrast: 0.5, saturation: 0.25, gamma: 0.5, temperature: 0.2, hue_shift: 15 }),
    ).toBe(
      "eq=brightness=-0.1:contrast=1.5:saturation=1.25:gamma=1.4142,colortemperature=temperature=5800:pl=1,hue=h=15",
    );
  });

  it("refuses values outside the documented ranges", () => {
    expect(() => gradeFilter({ brightness: 1.5 })).toThrow(/brightness must be between -1 and 1/);
    expect(() => gradeFilter({ hue_shift: 181 })).toThrow(RangeError);
    expect(() => gradeFilter({ gamma: Number.NaN })).toThrow(RangeError);
  });

  it("documents every parameter as an offset around 0", () => {
    expect(GRADE_PARAM_NAMES).toEqual(["brightness", "contrast", "saturation", "temperature", "gamma", "hue_shift"]);
    for (const name of GRADE_PARAM_NAMES) {
      const { min, max, description } = GRADE_PARAMS[name];
      expect(min).toBeLessThan(0);
      expect(max).toBe(-min);
      expect(description).toMatch(/0 = unchanged/);
    }
  });
});

describe("renderSegmentArgs", () => {
  const base = { input: "/m/src.mp4", startSec: 1.5, endSec: 4, width: 1280, height: 720, fps: 30, output: "/o/p.mp4" };
  const tail = [
    "-t",
    "2.5",
    "-r",
    "30",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "20",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-b:a",
    "160k",
    "-ar",
    "48000",
    "-ac",
    "2",
    "-movflags",
    "+faststart",
    "-progress",
    "pipe:1",
    "-nostats",
    "/o/p.mp4",
  ];
  const fit =
    "scale=1280:720:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1";

  it("trims with -ss before -i, keeps and pads the source audio", () => {
    expect(renderSegmentArgs({ ...base, hasAudio: true })).toEqual([
      "-ss",
      "1.5",
      "-t",
      "2.5",
      "-i",
      "/m/src.mp4",
      "-map",
      "0:v:0",
      "-map",
      "0:a:0",
      "-vf",
      fit,
      "-af",
      "apad",
      ...tail,
    ]);
  });

  it("adds silence from anullsrc when the source has no audio, and applies a grade first", () => {
    expect(renderSegmentArgs({ ...base, hasAudio: false, filter: "eq=brightness=0.1" })).toEqual([
      "-ss",
      "1.5",
      "-t",
      "2.5",
      "-i",
      "/m/src.mp4",
      "-f",
      "lavfi",
      "-t",
      "2.5",
      "-i",
      "anullsrc=r=48000:cl=stereo",
      "-map",
      "0:v:0",
      "-map",
      "1:a:0",
      "-vf",
      `eq=brightness=0.1,${fit}`,
      ...tail,
    ]);
  });

  it("refuses empty ranges and odd sizes", () => {
    expect(() => renderSegmentArgs({ ...base, endSec: 1.5, hasAudio: true })).toThrow(RangeError);
    expect(() => renderSegmentArgs({ ...base, width: 1279, hasAudio: true })).toThrow(/even/);
  });
});

describe("concat", () => {
  it("concatArgs uses the concat demuxer and copies streams", () => {
    expect(concatArgs({ listFile: "/o/list.txt", output: "/o/out.mp4" })).toEqual([
      "-f",
      "concat",
      "-safe",
      "0",
      "-i",
      "/o/list.txt",
      "-c",
      "copy",
      "-movflags",
      "+faststart",
      "/o/out.mp4",
    ]);
  });

  it("concatListContent single-quotes paths and escapes quotes inside them", () => {
    expect(concatListContent(["/data/a.mp4", "/data/it's here/b c.mp4", "/d/back\\slash.mp4"])).toBe(
      "file '/data/a.mp4'\nfile '/data/it'\\''s here/b c.mp4'\nfile '/d/back\\slash.mp4'\n",
    );
  });

  it("concatListContent refuses line breaks and empty lists", () => {
    expect(() => concatListContent(["/a\nfile '/etc/passwd'"])).toThrow(RangeError);
    expect(() => concatListContent([])).toThrow(RangeError);
  });
});

describe("region edits", () => {
  const at = { startSec: 0.5, endSec: 1.5, frameWidth: 320, frameHeight: 240 };
  const box = { x: 0.25, y: 0.25, width: 0.5, height: 0.5 };

  it("boxToPixels aligns to even pixels, grows outward, stays in the frame", () => {
    expect(boxToPixels(box, 320, 240)).toEqual({ x: 80, y: 60, width: 160, height: 120 });
    expect(boxToPixels({ x: 0.101, y: 0.333, width: 0.2, height: 0.1 }, 321, 241)).toEqual({
      x: 32,
      y: 80,
      width: 66,
      height: 26,
    });
    expect(boxToPixels({ x: 0.9, y: 0.9, width: 0.5, height: 0.5 }, 320, 240)).toEqual({
      x: 288,
      y: 216,
      width: 32,
      height: 24,
    });
    expect(boxToPixels({ x: 0.999, y: 0, width: 0.001, height: 1 }, 320, 240)).toEqual({
      x: 318,
      y: 0,
      width: 2,
      height: 240,
    });
    expect(() => boxToPixels({ x: 1.2, y: 0, width: 0.1, height: 0.1 }, 320, 240)).toThrow(RangeError);
  });

  it("blur: crop, boxblur, overlay back within the time range", () => {
    expect(regionEditFilter({ op: "blur", box, ...at })).toBe(
      "[0:v]split=2[base][roi];" +
        "[roi]crop=w=160:h=120:x=80:y=60,boxblur=luma_radius=20:luma_power=2:chroma_radius=20:chroma_power=2[edit];" +
        "[base][edit]overlay=x=80:y=60:enable='between(t,0.5,1.5)'[v]",
    );
  });

  it("blur keeps radii within what boxblur accepts for small boxes", () => {
    expect(regionEditFilter({ op: "blur", box: { x: 0, y: 0, width: 0.02, height: 0.02 }, ...at })).toContain(
      "crop=w=8:h=6:x=0:y=0,boxblur=luma_radius=2:luma_power=2:chroma_radius=1:chroma_power=2",
    );
  });

  it("pixelate: area down to about 10 blocks, nearest-neighbour back up", () => {
    expect(regionEditFilter({ op: "pixelate", box, ...at })).toBe(
      "[0:v]split=2[base][roi];" +
        "[roi]crop=w=160:h=120:x=80:y=60,scale=13:10:flags=area,scale=160:120:flags=neighbor[edit];" +
        "[base][edit]overlay=x=80:y=60:enable='between(t,0.5,1.5)'[v]",
    );
  });

  it("grayscale, brighten and darken", () => {
    const op = (name: "grayscale" | "brighten" | "darken") => regionEditFilter({ op: name, box, ...at }).split(";")[1];
    expect(op("grayscale")).toBe("[roi]crop=w=160:h=120:x=80:y=60,hue=s=0[edit]");
    expect(op("brighten")).toBe("[roi]crop=w=160:h=120:x=80:y=60,eq=brightness=0.25[edit]");
    expect(op("darken")).toBe("[roi]crop=w=160:h=120:x=80:y=60,eq=brightness=-0.25[edit]");
  });

  it("remove: delogo over the box, clamped one pixel away from the frame edges", () => {
    expect(regionEditFilter({ op: "remove", box, ...at })).toBe(
      "[0:v]delogo=x=80:y=60:w=160:h=120:enable='between(t,0.5,1.5)'[v]",
    );
    expect(regionEditFilter({ op: "remove", box: { x: 0, y: 0, width: 1, height: 1 }, ...at })).toBe(
      "[0:v]delogo=x=1:y=1:w=318:h=238:enable='between(t,0.5,1.5)'[v]",
    );
  });

  it("refuses unknown ops and empty time ranges", () => {
    expect(() => regionEditFilter({ op: "explode" as "blur", box, ...at })).toThrow(/unknown region op/);
    expect(() => regionEditFilter({ op: "blur", box, ...at, endSec: 0.5 })).toThrow(RangeError);
  });

  it("regionEditArgs encodes [v] and keeps any audio", () => {
    expect(regionEditArgs({ input: "in.mp4", filterComplex: "G", output: "out.mp4" })).toEqual([
      "-i",
      "in.mp4",
      "-filter_complex",
      "G",
      "-map",
      "[v]",
      "-map",
      "0:a:0?",
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-crf",
      "20",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-b:a",
      "160k",
      "-ar",
      "48000",
      "-ac",
      "2",
      "-movflags",
      "+faststart",
      "-progress",
      "pipe:1",
      "-nostats",
      "out.mp4",
    ]);
  });

  it("parseRegionOp finds the op named in a prompt", () => {
    const cases: [string, string | null][] = [
      ["blur the license plate", "blur"],
      ["make the background blurry", "blur"],
      ["Soften the face", "blur"],
      ["pixelate the face", "pixelate"],
      ["mosaic over the sign", "pixelate"],
      ["censor the logo", "pixelate"],
      ["remove the logo", "remove"],
      ["erase the watermark", "remove"],
      ["delete that person", "remove"],
      ["make it grayscale", "grayscale"],
      ["turn the sky black and white", "grayscale"],
      ["desaturate the car", "grayscale"],
      ["make it grey-scale", "grayscale"],
      ["brighten the face", "brighten"],
      ["make the corner lighter", "brighten"],
      ["darken the sky", "darken"],
      ["make it darker", "darken"],
      ["remove the blurry logo", "remove"],
      ["a cat playing piano", null],
      ["", null],
    ];
    for (const [prompt, op] of cases) expect(parseRegionOp(prompt), prompt).toBe(op);
  });

  it("lists the local ops for error messages", () => {
    expect(LOCAL_REGION_OPS).toEqual(["blur", "pixelate", "remove", "grayscale", "brighten", "darken"]);
  });
});

describe("escaping", () => {
  it("escapeFilterValue escapes the option level, then the filtergraph level", () => {
    expect(escapeFilterValue("plain")).toBe("plain");
    expect(escapeFilterValue("a:b")).toBe("a\\\\:b");
    expect(escapeFilterValue("it's")).toBe("it\\\\\\'s");
    expect(escapeFilterValue("a,b;c[d]")).toBe("a\\,b\\;c\\[d\\]");
    expect(escapeFilterValue("C:\\fonts")).toBe("C\\\\:\\\\\\\\fonts");
  });

  it("escapeDrawtext also escapes drawtext's own % and backslash", () => {
    expect(escapeDrawtext("50%: it's")).toBe("50\\\\\\\\%\\\\: it\\\\\\'s");
    expect(escapeDrawtext("%{pts}")).toBe("\\\\\\\\%{pts}");
  });
});

describe("placeholderImageArgs", () => {
  it("draws a title and subtitle on a colour source with the DejaVu font", () => {
    expect(
      placeholderImageArgs({ title: "SC01", subtitle: "local placeholder", width: 640, height: 360, output: "p.png" }),
    ).toEqual([
      "-f",
      "lavfi",
      "-i",
      "color=c=0x1f2937:s=640x360:d=1",
      "-vf",
      "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:text=SC01:fontsize=36:fontcolor=white:x=(w-tw)/2:y=h/2-th-7," +
        "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:text=local placeholder:fontsize=18:fontcolor=0xcbd5e1:x=(w-tw)/2:y=h/2+7",
      "-frames:v",
      "1",
      "-update",
      "1",
      "p.png",
    ]);
  });

  it("escapes the text, shrinks long titles and centres a lone title", () => {
    const [, , , , , vf] = placeholderImageArgs({
      title: "Scene 3: it's 100% [final], ok; yes",
      width: 320,
      height: 240,
      output: "p.png",
    });
    expect(vf).toBe(
      "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:" +
        "text=Scene 3\\\\: it\\\\\\'s 100\\\\\\\\% \\[final\\]\\, ok\\; yes:fontsize=13:fontcolor=white:x=(w-tw)/2:y=(h-th)/2",
    );
  });

  it("refuses a colour that could inject filter syntax", () => {
    expect(() =>
      placeholderImageArgs({ title: "t", width: 10, height: 10, output: "p.png", background: "red:s=1x1,drawtext" }),
    ).toThrow(RangeError);
  });
});

describe("measurement args", () => {
  const box = { x: 0.25, y: 0.25, width: 0.5, height: 0.5 };

  it("cropFilter crops and maskFilter paints a fractional box by expressions", () => {
    expect(cropFilter(box)).toBe("crop=w=iw*0.5:h=ih*0.5:x=iw*0.25:y=ih*0.25");
    expect(maskFilter({ x: 0.9, y: -0.1, width: 0.5, height: 0.3 })).toBe(
      "drawbox=x=iw*0.9:y=ih*0:w=iw*0.1:h=ih*0.2:color=black:t=fill",
    );
  });

  it("ssimArgs compares the whole frame after scaling the distorted file to the reference", () => {
    expect(ssimArgs({ reference: "a.mp4", distorted: "b.mp4", statsFile: "/t/full.log" })).toEqual([
      "-i",
      "a.mp4",
      "-i",
      "b.mp4",
      "-filter_complex",
      "[1:v][0:v]scale2ref[d][r];[d][r]ssim=stats_file=/t/full.log[full]",
      "-map",
      "[full]",
      "-f",
      "null",
      "-",
    ]);
  });

  it("psnrArgs with a region measures the frame, the cropped box and the masked rest in one pass", () => {
    const crop = "crop=w=iw*0.5:h=ih*0.5:x=iw*0.25:y=ih*0.25";
    const mask = "drawbox=x=iw*0.25:y=ih*0.25:w=iw*0.5:h=ih*0.5:color=black:t=fill";
    expect(
      psnrArgs({
        reference: "a.mp4",
        distorted: "b.mp4",
        statsFile: "/t/f.log",
        region: { box, insideStatsFile: "/t/in.log", outsideStatsFile: "/t/out.log" },
      }),
    ).toEqual([
      "-i",
      "a.mp4",
      "-i",
      "b.mp4",
      "-filter_complex",
      "[1:v][0:v]scale2ref[d][r];[d]split=3[d0][d1][d2];[r]split=3[r0][r1][r2];" +
        "[d0][r0]psnr=stats_file=/t/f.log[full];" +
        `[d1]${crop}[dc];[r1]${crop}[rc];[dc][rc]psnr=stats_file=/t/in.log[inside];` +
        `[d2]${mask}[dm];[r2]${mask}[rm];[dm][rm]psnr=stats_file=/t/out.log[outside]`,
      "-map",
      "[full]",
      "-f",
      "null",
      "-",
      "-map",
      "[inside]",
      "-f",
      "null",
      "-",
      "-map",
      "[outside]",
      "-f",
      "null",
      "-",
    ]);
  });

  it("signalStatsArgs and edgeEnergyArgs print per-frame statistics to a file", () => {
    expect(signalStatsArgs({ input: "a.mp4", statsFile: "/t/s.log" })).toEqual([
      "-i",
      "a.mp4",
      "-vf",
      "signalstats,metadata=mode=print:file=/t/s.log",
      "-f",
      "null",
      "-",
    ]);
    expect(edgeEnergyArgs({ input: "a.mp4", statsFile: "C:/t/s.log", box })[3]).toBe(
      "crop=w=iw*0.5:h=ih*0.5:x=iw*0.25:y=ih*0.25,edgedetect,signalstats,metadata=mode=print:file=C\\\\:/t/s.log",
    );
  });
});

describe("measurement parsers", () => {
  it("parseSsim averages the per-frame All and Y values", () => {
    const text =
      "n:1 Y:0.950000 U:0.970000 V:0.970000 All:0.960000 (13.979400)\nn:2 Y:0.990000 U:0.99 V:0.99 All:0.980000 (16.98)\n";
    const r = parseSsim(text);
    expect(r.frames).toBe(2);
    expect(r.all).toBeCloseTo(0.97, 6);
    expect(r.y).toBeCloseTo(0.97, 6);
    expect(() => parseSsim("")).toThrow();
  });

  it("parsePsnr averages squared error, then converts; identical frames cap at 100 dB", () => {
    const text =
      "n:1 mse_avg:2.00 mse_y:2.00 mse_u:2.00 mse_v:2.00 psnr_avg:45.12 psnr_y:45.12 psnr_u:45.12 psnr_v:45.12\n" +
      "n:2 mse_avg:4.00 mse_y:4.00 mse_u:4.00 mse_v:4.00 psnr_avg:42.11 psnr_y:42.11 psnr_u:42.11 psnr_v:42.11\n";
    const r = parsePsnr(text);
    expect(r.frames).toBe(2);
    expect(r.mse).toBe(3);
    expect(r.psnr).toBeCloseTo(10 * Math.log10((255 * 255) / 3), 6);
    expect(parsePsnr("n:1 mse_avg:0.00 mse_y:0.00 psnr_avg:inf psnr_y:inf\n").psnr).toBe(100);
  });

  it("parseSignalStats averages each key over frames", () => {
    const text = [
      "frame:0    pts:0       pts_time:0",
      "lavfi.signalstats.YMIN=16",
      "lavfi.signalstats.YAVG=100.5",
      "lavfi.signalstats.SATAVG=20",
      "frame:1    pts:512     pts_time:0.04",
      "lavfi.signalstats.YMIN=16",
      "lavfi.signalstats.YAVG=101.5",
      "lavfi.signalstats.SATAVG=30",
      "",
    ].join("\n");
    expect(parseSignalStats(text)).toEqual({ frames: 2, averages: { YMIN: 16, YAVG: 101, SATAVG: 25 } });
  });

  it("areaWeightedOutside solves full = f·inside + (1−f)·outside", () => {
    expect(areaWeightedOutside(0.9, 0.6, 0.25)).toBeCloseTo(1, 10);
    expect(areaWeightedOutside(10, 40, 0.25)).toBeCloseTo(0, 10);
    expect(areaWeightedOutside(0.925, 1, 0.25)).toBeCloseTo(0.9, 10); // a masked SSIM
    expect(areaWeightedOutside(0.5, 0.5, 0)).toBe(0.5);
    expect(areaWeightedOutside(0.5, 0.5, 1)).toBeNull();
  });
});
