// The peer for keel's image variants: sharp (libvips under Node) making the same two WebP
// variants of one JPEG, `count` times with `inflight` at once. Also writes the input JPEG.
// Usage: node sharp.mjs make <path>            → a 2000x1500 noise JPEG at <path>
//        node sharp.mjs run <path> <count> <inflight>  → prints "images_per_second <n>"
import { readFileSync, writeFileSync } from "node:fs";
import sharp from "sharp";

const [mode, path, countArg, inflightArg] = process.argv.slice(2);
if (mode === "make") {
  const jpeg = await sharp({
    create: { width: 2000, height: 1500, channels: 3, noise: { type: "gaussian", mean: 128, sigma: 30 } },
  })
    .jpeg({ quality: 85 })
    .toBuffer();
  writeFileSync(path, jpeg);
  process.exit(0);
}

const input = readFileSync(path);
const count = Number(countArg);
const inflight = Number(inflightArg);
// What keel's images::make_variants does: fit in 128 and 512 boxes, never enlarge, turn upright
// by EXIF, WebP quality 80, no metadata (sharp drops it unless asked to keep it).
async function variants() {
  for (const size of [128, 512]) {
    await sharp(input)
      .rotate()
      .resize(size, size, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  }
}
let next = 0;
const start = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: inflight }, async () => {
    while (next++ < count) await variants();
  }),
);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`images_per_second ${(count / seconds).toFixed(2)}`);
