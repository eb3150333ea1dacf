// `pnpm bench webhooks`: ingest throughput with three webhook subscriptions whose receiver takes 5 s to answer,
// against the same run without subscriptions. Deliveries run on the job queue, so the two should match.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import autocannon from "autocannon";

interface Served {
  url: string;
  token: string;
  projectId: string;
}

async function serve(webhooks: number, receiver: string): Promise<{ served: Served; stop: () => Promise<void> }> {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const serveTs = new URL("./webhooksServe.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", serveTs], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BENCH_WEBHOOKS: String(webhooks), BENCH_RECEIVER: receiver },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    served: JSON.parse(line) as Served,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

const run = (opts: autocannon.Options) =>
  new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });

export async function benchWebhooks(seconds = Number(process.env.BENCH_SECONDS ?? 10)): Promise<void> {
  let received = 0;
  // A receiver that answers every delivery after 5 s.
  const receiver = createServer((req, res) => {
    req.resume();
    received++;
    setTimeout(() => res.writeHead(204).end(), 5000).unref();
  });
  await new Promise<void>((ok) => receiver.listen(0, "127.0.0.1", ok));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const results: Array<[string, autocannon.Result]> = [];
  try {
    for (const count of [0, 3]) {
      const { served, stop } = await serve(count, receiverUrl);
      try {
        const opts = {
          connections: 50,
          method: "POST" as const,
          url: `${served.url}/api/extension/ingest`,
          headers: { "content-type": "application/json", authorization: `Bearer ${served.token}` },
          body: JSON.stringify({
            projectId: served.projectId,
            sceneId: "001",
            platformKey: "openai-sora",
            assetType: "VIDEO",
            prompt: "A futuristic spaceship bridge with holographic displays",
            metadata: { duration: 5, aspectRatio: "16:9", seed: 42 },
          }),
        };
        await run({ ...opts, duration: 2 });
        results.push([`${count} subscriptions`, await run({ ...opts, duration: seconds })]);
      } finally {
        await stop();
      }
    }
  } finally {
    receiver.closeAllConnections();
    receiver.close();
  }
  process.stdout.write(
    `\nwebhooks benchmark: ingest, 50 connections, ${seconds} s; receiver answers after 5 s (${received} deliveries reached it)\n`,
  );
  process.stdout.write(
    `${"variant".padEnd(20)}${["req/s", "p50 ms", "p99 ms", "errors"].map((h) => h.padStart(10)).join("")}\n`,
  );
  for (const [name, r] of results) {
    const cells = [
      r.requests.average.toFixed(0),
      String(r.latency.p50),
      String(r.latency.p99),
      String(r.errors + r.non2xx),
    ];
    process.stdout.write(`${name.padEnd(20)}${cells.map((c) => c.padStart(10)).join("")}\n`);
  }
  const [base, hooked] = [results[0]![1], results[1]![1]];
  const rate = hooked.requests.average / base.requests.average;
  const p99 = hooked.latency.p99 / Math.max(1, base.latency.p99);
  process.stdout.write(
    `with/without: rate ${(rate * 100).toFixed(1)} %, p99 ${(p99 * 100).toFixed(1)} % (aim: rate >= 90 %, p99 <= 110 %)\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWebhooks();
