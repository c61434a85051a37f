/**
 * Width and height from the first bytes of PNG, JPEG, GIF, WebP and BMP files, in JS: the thumbnail
 * path needs the source size without a second trip through sharp. Null when the format is not one
 * of these (callers then ask sharp's metadata()).
 */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const n = bytes.length;
  const u8 = (i: number): number => bytes[i] ?? 0;
  const be16 = (i: number): number => (u8(i) << 8) | u8(i + 1);
  const le16 = (i: number): number => u8(i) | (u8(i + 1) << 8);
  const be32 = (i: number): number => ((u8(i) << 24) | (u8(i + 1) << 16) | (u8(i + 2) << 8) | u8(i + 3)) >>> 0;
  const le32 = (i: number): number => (u8(i) | (u8(i + 1) << 8) | (u8(i + 2) << 16) | (u8(i + 3) << 24)) >>> 0;
  if (n >= 24 && u8(0) === 0x89 && u8(1) === 0x50 && u8(12) === 0x49 && u8(13) === 0x48) return { width: be32(16), height: be32(20) };
  if (n >= 10 && u8(0) === 0x47 && u8(1) === 0x49 && u8(2) === 0x46) return { width: le16(6), height: le16(8) };
  if (n >= 26 && u8(0) === 0x42 && u8(1) === 0x4d) return { width: le32(18), height: Math.abs(le32(22) | 0) };
  if (n >= 30 && u8(0) === 0x52 && u8(8) === 0x57 && u8(12) === 0x56 && u8(13) === 0x50 && u8(14) === 0x38) {
    const kind = u8(15);
    if (kind === 0x20) return { width: le16(26) & 0x3fff, height: le16(28) & 0x3fff }; // VP8
    if (kind === 0x4c) { // VP8L
      const bits = le32(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (kind === 0x58) return { width: (u8(24) | (u8(25) << 8) | (u8(26) << 16)) + 1, height: (u8(27) | (u8(28) << 8) | (u8(29) << 16)) + 1 }; // VP8X
  }
  if (n >= 4 && u8(0) === 0xff && u8(1) === 0xd8) {
    let i = 2;
    while (i + 9 < n) {
      if (u8(i) !== 0xff) return null;
      const marker = u8(i + 1);
      if (marker === 0xff) { i++; continue; }
      // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: be16(i + 7), height: be16(i + 5) };
      i += 2 + be16(i + 2);
    }
  }
  return null;
}
