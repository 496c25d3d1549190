/**
 * The secrets one log masks, in two forms: as text (notes, labels) and as
 * UTF-8 bytes (provider output, masked a block of lines at a time without
 * decoding it). Matching bytes is matching characters: a UTF-8 sequence never
 * starts inside another.
 */
const MASK = "********";

export class Secrets {
  /** Longest first, so a secret containing another is masked whole. */
  private texts: string[] = [];
  private bytes: Buffer[] = [];
  private latin1: string[] = [];
  /** The longest secret in bytes: how far past a cut a secret can reach. */
  longest = 0;

  add(secret: string): void {
    if (secret.length < 4 || this.texts.includes(secret)) return;
    this.texts = [...this.texts, secret].sort((a, b) => Buffer.byteLength(b) - Buffer.byteLength(a));
    this.bytes = this.texts.map((text) => Buffer.from(text, "utf8"));
    // One char per byte: the bytes can be searched and replaced as a string.
    this.latin1 = this.bytes.map((bytes) => bytes.toString("latin1"));
    this.longest = this.bytes[0]?.length ?? 0;
  }

  mask(text: string): string {
    let masked = text;
    for (const secret of this.texts) if (masked.includes(secret)) masked = masked.split(secret).join(MASK);
    return masked;
  }

  /**
   * `block` with every secret masked; `block` itself when it holds none, which
   * is what a flood of output almost always is: one native search per secret.
   * Secrets are replaced one after another, longest first, so a secret that
   * overlaps a shorter one is still masked whole.
   */
  maskBytes(block: Buffer): Buffer {
    const first = this.bytes.findIndex((secret) => block.includes(secret));
    if (first === -1) return block;
    let text = block.toString("latin1");
    for (const secret of this.latin1.slice(first)) if (text.includes(secret)) text = text.split(secret).join(MASK);
    return Buffer.from(text, "latin1");
  }

  /**
   * Where to cut an overlong line of bytes near `limit`: never through a
   * secret (each half would escape the mask) nor inside a UTF-8 sequence.
   * `text` must reach `longest` bytes past `limit`, so that any secret that
   * could cross the cut is whole in it.
   */
  cutPoint(text: Buffer, limit: number): number {
    let cut = limit;
    for (let moved = true; moved; ) {
      moved = false;
      for (const secret of this.bytes) {
        const at = text.indexOf(secret, Math.max(1, cut - secret.length + 1));
        if (at !== -1 && at < cut) {
          cut = at;
          moved = true;
        }
      }
    }
    // 10xxxxxx continues a character that began before it.
    while (cut > 1 && ((text[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
    return cut;
  }
}
