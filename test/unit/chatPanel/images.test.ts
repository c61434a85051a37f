import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isInside, sha256, sniffImage, storeImageBytes } from '../../../src/ui/chat/imageFiles';
import { ImageImporter, pathOfUri } from '../../../src/ui/chat/imageImport';
import { makeTree } from '../helpers/tempTree';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const GIF = Buffer.from('GIF89a......');

describe('chat images: where they may come from', () => {
  let tree: ReturnType<typeof makeTree>;
  afterEach(() => tree?.remove());

  const sniff: [string, Buffer, string | null][] = [
    ['png', PNG, 'image/png'],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    ['gif', GIF, 'image/gif'],
    ['webp', Buffer.from('RIFF\0\0\0\0WEBPVP8 '), 'image/webp'],
    ['bmp', Buffer.from('BM\0\0'), 'image/bmp'],
    ['tiff', Buffer.from([0x49, 0x49, 0x2a, 0x00]), 'image/tiff'],
    ['html named .png', Buffer.from('<html>'), null],
  ];
  for (const [name, bytes, mime] of sniff) it(`sniffs ${name}`, () => assert.equal(sniffImage(bytes)?.mime ?? null, mime));

  it('isInside: below or equal, never via ..', () => {
    assert.equal(isInside('/w', '/w/a/b.png'), true);
    assert.equal(isInside('/w', '/w'), true);
    assert.equal(isInside('/w', '/w/../etc/x.png'), false);
    assert.equal(isInside('/w', '/wx/a.png'), false);
  });

  it('stores pasted bytes once by content hash and refuses non-images', async () => {
    tree = makeTree({});
    const dir = join(tree.root, 'store');
    const a = await storeImageBytes(dir, PNG);
    const b = await storeImageBytes(dir, PNG);
    assert.equal(a.path, b.path);
    assert.match(a.path, /[0-9a-f]{64}\.png$/);
    assert.equal(readdirSync(dir).length, 1);
    await assert.rejects(storeImageBytes(dir, Buffer.from('#!/bin/sh\nrm -rf ~')), /not an image/);
  });

  const torn: [string, (bytes: Buffer) => Buffer][] = [
    ['cut short by a crash', (bytes) => bytes.subarray(0, 5)],
    ['empty', () => Buffer.alloc(0)],
    ['same length, other bytes', (bytes) => Buffer.from(bytes.map((b, i) => (i === bytes.length - 1 ? b ^ 0xff : b)))],
  ];
  for (const [name, damage] of torn) {
    it(`rewrites a stored copy whose bytes do not match its name (${name})`, async () => {
      tree = makeTree({});
      const dir = join(tree.root, 'store');
      const bytes = Buffer.concat([PNG, Buffer.from('rest of the picture')]);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${sha256(bytes)}.png`), damage(bytes));
      const stored = await storeImageBytes(dir, bytes);
      assert.deepEqual(readFileSync(stored.path), bytes);
      assert.deepEqual(readdirSync(dir), [`${sha256(bytes)}.png`], 'no temporary file left');
    });
  }

  it('a good stored copy is kept as it is', async () => {
    tree = makeTree({});
    const dir = join(tree.root, 'store');
    const first = await storeImageBytes(dir, PNG);
    const again = await storeImageBytes(dir, PNG);
    assert.equal(again.path, first.path);
    assert.deepEqual(readFileSync(first.path), PNG);
  });

  it('a fetched URL is kept and shown without its query string (a presigned URL is a credential)', async () => {
    tree = makeTree({});
    const im = new ImageImporter({ storageDir: join(tree.root, 'store'), workspaceFolders: () => [], pick: async () => undefined, fetch: async () => new Response(PNG, { status: 200 }) });
    const image = await im.fromUrl('https://bob:pw@bucket.example/cat.png?X-Amz-Signature=5ecret');
    assert.equal(image.url, 'https://bucket.example/cat.png');
    assert.equal(image.name, 'cat.png');
    const failing = new ImageImporter({ storageDir: join(tree.root, 'store'), workspaceFolders: () => [], pick: async () => undefined, fetch: async () => new Response('', { status: 403 }) });
    await assert.rejects(failing.fromUrl('https://bucket.example/cat.png?X-Amz-Signature=5ecret'), (error: Error) => /cannot fetch https:\/\/bucket\.example\/cat\.png: HTTP 403/.test(error.message) && !error.message.includes('5ecret'));
  });

  const importer = () => new ImageImporter({ storageDir: join(tree.root, 'store'), workspaceFolders: () => [join(tree.root, 'ws')], pick: async () => join(tree.root, 'outside/o.png') });

  it('a dragged URI must lie inside the workspace (symlinks resolved)', async () => {
    tree = makeTree({ 'ws/in.png': PNG, 'outside/o.png': PNG, 'ws/notes.txt': 'x' });
    symlinkSync(join(tree.root, 'outside/o.png'), join(tree.root, 'ws/link.png'));
    const im = importer();
    const inside = await im.fromSource({ kind: 'uri', uri: pathToFileURL(join(tree.root, 'ws/in.png')).href });
    assert.equal(inside?.origin, 'workspace');
    await assert.rejects(im.fromSource({ kind: 'uri', uri: pathToFileURL(join(tree.root, 'outside/o.png')).href }), /outside the workspace/);
    await assert.rejects(im.fromSource({ kind: 'uri', uri: pathToFileURL(join(tree.root, 'ws/link.png')).href }), /outside the workspace/);
    await assert.rejects(im.fromSource({ kind: 'uri', uri: pathToFileURL(join(tree.root, 'ws/notes.txt')).href }), /not an image/);
    await assert.rejects(im.fromSource({ kind: 'uri', uri: 'https://evil.example/a.png' }), /only files can be dropped/);
  });

  it('a picked file may be anywhere (the user chose it)', async () => {
    tree = makeTree({ 'outside/o.png': PNG });
    const picked = await importer().fromSource({ kind: 'pick' });
    assert.equal(picked?.origin, 'picked');
    assert.equal(picked?.name, 'o.png');
  });

  it('pasted data URLs become stored files; pasted text must be a URL or a workspace path', async () => {
    tree = makeTree({ 'ws/in.png': PNG, 'outside/o.png': PNG });
    const im = importer();
    const pasted = await im.fromSource({ kind: 'dataUrl', dataUrl: `data:image/png;base64,${PNG.toString('base64')}`, name: 'Screenshot 1.png' });
    assert.equal(pasted?.origin, 'pasted');
    assert.deepEqual(readFileSync(pasted!.path), PNG);
    await assert.rejects(im.fromSource({ kind: 'dataUrl', dataUrl: 'data:text/html,<b>x</b>', name: 'x' }), /not a base64 data URL/);
    await assert.rejects(im.fromSource({ kind: 'url', url: 'rm -rf /' }), /neither an http\(s\) URL nor an absolute image path/);
    await assert.rejects(im.fromSource({ kind: 'url', url: join(tree.root, 'outside/o.png') }), /outside the workspace/);
    assert.equal((await im.fromSource({ kind: 'url', url: join(tree.root, 'ws/in.png') }))?.origin, 'workspace');
  });

  it('fetches a pasted http URL, checking what comes back', async () => {
    tree = makeTree({});
    const server = createServer((req, res) => {
      if (req.url === '/a.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      else if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const im = importer();
      const got = await im.fromSource({ kind: 'url', url: `${base}/a.png` });
      assert.equal(got?.origin, 'url');
      assert.equal(got?.url, `${base}/a.png`);
      await assert.rejects(im.fromUrl(`${base}/page`), /not an image/);
      await assert.rejects(im.fromUrl(`${base}/missing.png`), /HTTP 404/);
    } finally {
      server.close();
    }
  });

  it('pathOfUri: file and vscode-remote URIs only', () => {
    assert.equal(pathOfUri('file:///w/a%20b.png'), '/w/a b.png');
    assert.equal(pathOfUri('vscode-remote://ssh-remote+box/w/a.png'), '/w/a.png');
    assert.equal(pathOfUri('https://x/a.png'), null);
    assert.equal(pathOfUri('not a uri'), null);
  });

  it('view: bytes to show, or why not', async () => {
    tree = makeTree({ 'ws/in.png': PNG });
    const im = importer();
    const image = await im.fromPath(join(tree.root, 'ws/in.png'), 'workspace');
    const view = await im.view(image);
    assert.equal(view.origin, 'in.png');
    assert.deepEqual(Buffer.from(view.bytes!), PNG);
    const gone = await im.view({ ...image, path: join(tree.root, 'ws/gone.png') });
    assert.equal(gone.bytes, null);
    assert.match(gone.missing!, /image not found/);
  });
});
