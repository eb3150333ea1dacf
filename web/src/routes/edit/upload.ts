/**
 * PUT a file to a signed upload URL with progress and cancel. The shared client's `put` uses fetch, which
 * reports no upload progress; XMLHttpRequest does, and streams the File from disk without reading it into memory.
 * A direct upload goes to the bucket (no cookie or bearer is sent cross-origin); the bucket's error is XML, so
 * its status text is shown.
 */
export interface UploadHandle {
  done: Promise<{ id: string }>;
  cancel: () => void;
}

/** Where to PUT: our signed URL (answers the media JSON), or a bucket's presigned one (`direct`: an empty 200). */
export interface UploadTarget {
  url: string;
  assetId: string;
  direct?: boolean;
  /** Sent exactly as given (a presigned URL signs them). */
  headers?: Record<string, string>;
}

export function putWithProgress(
  target: UploadTarget,
  file: File,
  onProgress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<{ id: string }>((resolve, reject) => {
    xhr.open("PUT", target.url);
    const headers = { "content-type": file.type || "application/octet-stream", ...target.headers };
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: { id?: string; error?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // not JSON: fall through to the status text
      }
      if (target.direct && xhr.status >= 200 && xhr.status < 300) resolve({ id: target.assetId });
      else if (xhr.status >= 200 && xhr.status < 300 && body.id) resolve({ id: body.id });
      else reject(new Error(body.error ?? `Upload failed (${xhr.status} ${xhr.statusText})`));
    };
    xhr.onerror = () =>
      reject(
        new Error(
          target.direct
            ? "Upload failed: the storage bucket could not be reached (does its CORS allow PUT from this site?)"
            : "Upload failed: the server could not be reached",
        ),
      );
    xhr.onabort = () => reject(new Error("Upload cancelled"));
    xhr.send(file);
  });
  return { done, cancel: () => xhr.abort() };
}
