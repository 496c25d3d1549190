/**
 * The body encoding the AWS SDK uses for streamed uploads with a checksum
 * (`content-encoding: aws-chunked`): `hex-size[;ext]\r\n data \r\n` chunks, a
 * zero-size chunk, then `name:value` trailer lines and a blank line.
 */
export function decodeAwsChunked(body: Buffer): { content: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let at = 0;
  const line = () => {
    const end = body.indexOf("\r\n", at);
    if (end < 0) throw new Error(`aws-chunked: no line end after byte ${at}`);
    const text = body.subarray(at, end).toString("latin1");
    at = end + 2;
    return text;
  };
  for (;;) {
    const size = Number.parseInt(line().split(";")[0] ?? "", 16);
    if (!Number.isInteger(size) || size < 0) throw new Error(`aws-chunked: bad chunk size before byte ${at}`);
    if (size === 0) break;
    parts.push(body.subarray(at, at + size));
    at += size;
    if (line() !== "") throw new Error("aws-chunked: chunk longer than its size");
  }
  const trailers: Record<string, string> = {};
  for (let text = line(); text !== ""; text = at < body.length ? line() : "") {
    const colon = text.indexOf(":");
    trailers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim();
  }
  return { content: Buffer.concat(parts), trailers };
}
