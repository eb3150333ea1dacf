/**
 * PUT a file to a signed upload URL with progress and cancel. The shared client's `put` uses fetch, which
 * reports no upload progress; XMLHttpRequest does, and streams the File from disk without reading it into memory.
 */
export interface UploadHandle {
  done: Promise<{ id: string }>;
  cancel: () => void;
}

export function putWithProgress(url: string, file: File, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<{ id: string }>((resolve, reject) => {
    xhr.open("PUT", url);
    xhr.setRequestHeader("content-type", file.type || "application/octet-stream");
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
      if (xhr.status >= 200 && xhr.status < 300 && body.id) resolve({ id: body.id });
      else reject(new Error(body.error ?? `Upload failed (${xhr.status} ${xhr.statusText})`));
    };
    xhr.onerror = () => reject(new Error("Upload failed: the server could not be reached"));
    xhr.onabort = () => reject(new Error("Upload cancelled"));
    xhr.send(file);
  });
  return { done, cancel: () => xhr.abort() };
}
