/**
 * A local HTTP file server on 127.0.0.1 for download tests: honours Range (206), and can
 * misbehave on purpose (cut a transfer after N bytes, ignore Range, stall, answer an error status).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedRequest {
  path: string;
  /** The Range header received, if any. */
  range: string | undefined;
  status: number;
  /** First byte offset served. */
  start: number;
  /** Body bytes actually written. */
  sent: number;
}

export interface RangeServerOptions {
  /** Cut the connection of the i-th file request (0-based) after this many body bytes. */
  cutAfter?: Record<number, number>;
  /** Every transfer stops (connection closed) at this absolute byte of the file, while the headers announce the full size. */
  truncateAt?: number;
  /** Answer 200 with the whole file even when asked for a range. */
  ignoreRange?: boolean;
  /** Answer the first ranged request with a Content-Range starting 10 bytes later than asked. */
  badRangeStartOnce?: boolean;
  /** Send no Content-Length (chunked encoding). */
  noLength?: boolean;
  /** Answer every request with this status and no body. */
  status?: number;
  /** Send the headers, then nothing for this long (for timeouts). */
  stallMs?: number;
  /** Path of the file; other paths answer 404; '/redirect' redirects to it. Default '/file'. */
  path?: string;
}

export interface RangeServer {
  url: string;
  /** Base URL, e.g. http://127.0.0.1:PORT */
  base: string;
  requests: ServedRequest[];
  close(): Promise<void>;
}

/** Starts the server on a free port of 127.0.0.1. Always close() it (it also drops open connections). */
export async function startRangeServer(body: Buffer, options: RangeServerOptions = {}): Promise<RangeServer> {
  const filePath = options.path ?? '/file';
  const requests: ServedRequest[] = [];
  let fileRequests = 0;
  let badRangeUsed = false;
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/redirect') {
      res.writeHead(302, { Location: filePath });
      res.end();
      return;
    }
    const record: ServedRequest = { path: url, range: req.headers.range, status: 0, start: 0, sent: 0 };
    requests.push(record);
    if (options.status !== undefined) {
      record.status = options.status;
      res.writeHead(options.status);
      res.end();
      return;
    }
    if (url !== filePath) {
      record.status = 404;
      res.writeHead(404);
      res.end();
      return;
    }
    const index = fileRequests++;
    const total = body.length;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !options.ignoreRange) {
      start = Number(m[1]);
      if (start >= total) {
        record.status = 416;
        res.writeHead(416, { 'Content-Range': `bytes */${total}` });
        res.end();
        return;
      }
      let announced = start;
      if (options.badRangeStartOnce && !badRangeUsed) {
        badRangeUsed = true;
        announced = start + 10;
      }
      record.status = 206;
      const headers: http.OutgoingHttpHeaders = { 'Content-Range': `bytes ${announced}-${total - 1}/${total}` };
      if (!options.noLength) headers['Content-Length'] = total - start;
      res.writeHead(206, headers);
    } else {
      record.status = 200;
      res.writeHead(200, options.noLength ? {} : { 'Content-Length': total });
    }
    record.start = start;
    let end = total;
    if (options.truncateAt !== undefined) end = Math.min(end, Math.max(start, options.truncateAt));
    const cut = options.cutAfter?.[index];
    if (cut !== undefined) end = Math.min(end, start + cut);
    const send = (): void => {
      const chunk = body.subarray(start, end);
      record.sent = chunk.length;
      if (end < total) {
        // Make sure the bytes left before dropping the connection.
        if (chunk.length === 0) {
          res.flushHeaders();
          setImmediate(() => res.socket?.destroy());
        } else res.write(chunk, () => res.socket?.destroy());
      } else {
        res.end(chunk);
      }
    };
    if (options.stallMs) setTimeout(send, options.stallMs);
    else send();
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}${filePath}`,
    base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
