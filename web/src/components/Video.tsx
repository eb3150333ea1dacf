import type { JSX } from "preact";
import { forwardRef } from "preact/compat";

/** A <video> for generated takes. They carry no caption tracks (there is no speech to caption, or none provided). */
export const Video = forwardRef<HTMLVideoElement, Omit<JSX.IntrinsicElements["video"], "ref">>(
  function Video(props, ref) {
    return <video ref={ref} {...props} />;
  },
);
