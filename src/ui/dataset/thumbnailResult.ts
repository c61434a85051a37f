/** A row image as the panel gets it: a data: URL of its thumbnail, or why there is none. */
import type { ImageRef } from '../../core/datasets/types';
import type { Thumbnail } from '../../core/images/thumbnails';
import type { ThumbnailResult } from '../../protocol/dataset';

export interface ThumbnailMaker {
  thumbnail(input: { path: string } | { bytes: Uint8Array }): Promise<Thumbnail>;
}

export const thumbnailDataUrl = (t: Thumbnail): string => `data:${t.mime};base64,${t.data.toString('base64')}`;

export async function thumbnailResult(maker: ThumbnailMaker, ref: ImageRef): Promise<ThumbnailResult> {
  // Remote images are never fetched: the extension reads the workspace, not the network.
  if (ref.kind === 'url') return { error: `remote image, not fetched: ${ref.url.slice(0, 200)}`, code: 'url' };
  try {
    const t = await maker.thumbnail(ref.kind === 'file' ? { path: ref.path } : { bytes: ref.bytes });
    return { dataUrl: thumbnailDataUrl(t), width: t.width, height: t.height, sourceWidth: t.sourceWidth, sourceHeight: t.sourceHeight };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { error: (error as Error).message ?? String(error), code: code === 'image_missing' || code === 'image_too_large' ? code : 'image_unreadable' };
  }
}
