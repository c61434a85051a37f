import assert from 'node:assert/strict';
import { decodeImage, imageDataUrl, shrinkTarget, type ProcessorSize } from '../../../src/core/chat/imageDecode';
import { ChatError, type ChatImage } from '../../../src/core/chat/types';
import { makeTree } from '../helpers/tempTree';
import { COLOURS, encode, exifRotated, png, solid } from './testImages';

const bytes = (data: Uint8Array, label = 'img'): ChatImage => ({ kind: 'bytes', bytes: data, label });
const pixel = (image: { data: Uint8Array; width: number }, x: number, y: number) =>
  [...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3)];

async function rejects(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ChatError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    assert.ok(error.hint);
    return true;
  });
}

describe('image decoding', () => {
  const shrinkCases: [ProcessorSize | undefined, number, number, { width: number; height: number } | null][] = [
    [{ shortest_edge: 32 }, 4000, 3000, { width: 43, height: 32 }],
    [{ shortest_edge: 336 }, 300, 200, null],
    [{ height: 384, width: 384 }, 4000, 3000, { width: 512, height: 384 }],
    [{ longest_edge: 2048 }, 4000, 3000, { width: 2048, height: 1536 }],
    [224, 1000, 500, { width: 448, height: 224 }],
    [undefined, 4000, 3000, null],
  ];
  for (const [size, w, h, expected] of shrinkCases) {
    it(`shrinks ${w}×${h} for size ${JSON.stringify(size)} to ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(shrinkTarget(size, w, h), expected);
    });
  }

  it('turns grey into three equal channels', async () => {
    const grey = await (await solid([128, 128, 128])).greyscale().png().toBuffer();
    const image = await decodeImage(bytes(grey));
    assert.equal(image.channels, 3);
    assert.equal(image.data.length, image.width * image.height * 3);
    assert.deepEqual(pixel(image, 0, 0), [128, 128, 128]);
  });

  it('reads 16-bit PNG as 8-bit', async () => {
    const image = await decodeImage(bytes(await encode('png-16bit', COLOURS.green)));
    assert.deepEqual(pixel(image, 3, 3), [...COLOURS.green]);
  });

  it('flattens transparency onto white', async () => {
    const clear = await (await solid([255, 0, 0], 8, 8, 4, 0)).png().toBuffer();
    const image = await decodeImage(bytes(clear));
    assert.deepEqual(pixel(image, 1, 1), [255, 255, 255]);
  });

  it('converts CMYK JPEG to sRGB', async () => {
    const image = await decodeImage(bytes(await encode('cmyk-jpeg', COLOURS.red)));
    const [r, g, b] = pixel(image, 5, 5) as [number, number, number];
    assert.ok(r > 150 && g < 90 && b < 90, `got ${r},${g},${b}`);
  });

  it('applies EXIF orientation (the coloured left strip ends up on top)', async () => {
    const image = await decodeImage(bytes(await exifRotated(COLOURS.blue)));
    assert.equal(image.width, 20);
    assert.equal(image.height, 60);
    const [r, , b] = pixel(image, 10, 5) as [number, number, number];
    assert.ok(b > 150 && r < 100, 'top is blue');
    assert.deepEqual(pixel(image, 10, 55).map((v) => v > 230), [true, true, true], 'bottom is white');
  });

  it('applies EXIF orientation before shrinking', async () => {
    const image = await decodeImage(bytes(await exifRotated(COLOURS.blue)), { size: { shortest_edge: 10 } });
    assert.deepEqual([image.width, image.height], [10, 30]);
  });

  it('takes the first frame of an animated GIF', async () => {
    const image = await decodeImage(bytes(await encode('animated-gif', COLOURS.green)));
    assert.equal(image.height, 32);
    const [r, g] = pixel(image, 16, 16) as [number, number];
    assert.ok(g > 120 && r < 80);
  });

  it('refuses an image over the pixel limit before decoding it', async () => {
    await rejects(decodeImage(bytes(await png([0, 0, 0], 2000, 1000), 'bomb.png'), { maxPixels: 1_000_000 }), 'image-too-large', /bomb\.png is 2000×1000 \(2\.0 MP\), over the limit of 1 MP/);
  });

  it('refuses bytes that are not an image', async () => {
    await rejects(decodeImage(bytes(new TextEncoder().encode('hello, not a picture'), 'notes.txt')), 'image-unreadable', /not a readable image: notes\.txt/);
  });

  it('refuses a truncated JPEG with the file name', async () => {
    const jpeg = await encode('jpeg', COLOURS.red);
    await rejects(decodeImage(bytes(jpeg.subarray(0, 200), 'cut.jpg')), 'image-unreadable', /cut\.jpg/);
  });

  it('reads from a path and names a missing one', async () => {
    const tree = makeTree({ 'a.png': await png(COLOURS.red) });
    try {
      const image = await decodeImage({ kind: 'file', path: `${tree.root}/a.png` });
      assert.equal(image.format, 'png');
      await rejects(decodeImage({ kind: 'file', path: `${tree.root}/missing.png` }), 'image-unreadable', /missing\.png: ENOENT/);
    } finally {
      tree.remove();
    }
  });

  it('makes a JPEG data URL no larger than maxEdge', async () => {
    const url = await imageDataUrl(bytes(await png(COLOURS.red, 300, 100)), { maxEdge: 60 });
    assert.match(url, /^data:image\/jpeg;base64,/);
    const sharp = (await import('sharp')).default;
    const meta = await sharp(Buffer.from(url.split(',')[1]!, 'base64')).metadata();
    assert.deepEqual([meta.width, meta.height], [60, 20]);
  });
});
