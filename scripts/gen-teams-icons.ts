/**
 * Draws the Teams app icons once: manifest/teams/color.png (192×192, full colour) and
 * manifest/teams/outline.png (32×32, white on transparent, as Teams requires). The PNGs are
 * committed; run again only to change the design: `npx tsx scripts/gen-teams-icons.ts`.
 * A chat bubble with three dots, drawn from geometry with 4×4 supersampling for smooth edges.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifest', 'teams');
/** Same as the manifest's accentColor. */
const ACCENT = [0x2b, 0x57, 0x9a] as const;
const SAMPLES = 4;

type Shape = (x: number, y: number) => boolean;

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
    return dx * dx + dy * dy <= r * r;
  };
}

function triangle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): Shape {
  const side = (px: number, py: number, qx: number, qy: number, x: number, y: number): number => (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const d1 = side(ax, ay, bx, by, x, y);
    const d2 = side(bx, by, cx, cy, x, y);
    const d3 = side(cx, cy, ax, ay, x, y);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
}

function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

// Coordinates are fractions of the icon size.
const bubble = roundedRect(0.16, 0.2, 0.84, 0.7, 0.13);
const tail = triangle(0.28, 0.66, 0.28, 0.86, 0.48, 0.66);
const dots = [0.34, 0.5, 0.66].map((x) => circle(x, 0.45, 0.055));
/** White where the bubble is, except the dots, which show what is behind. */
const glyph: Shape = (x, y) => (bubble(x, y) || tail(x, y)) && !dots.some((d) => d(x, y));

function coverage(shape: Shape, px: number, py: number, size: number): number {
  let hits = 0;
  for (let i = 0; i < SAMPLES; i += 1) {
    for (let j = 0; j < SAMPLES; j += 1) {
      if (shape((px + (i + 0.5) / SAMPLES) / size, (py + (j + 0.5) / SAMPLES) / size)) hits += 1;
    }
  }
  return hits / (SAMPLES * SAMPLES);
}

function draw(size: number, pixel: (cover: number) => readonly [number, number, number, number]): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const [r, g, b, a] = pixel(coverage(glyph, x, y, size));
      const i = (y * size + x) * 4;
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = a;
    }
  }
  return PNG.sync.write(png);
}

const mix = (c: number, cover: number): number => Math.round(c + (255 - c) * cover);

// Colour icon: white glyph on a full accent square (Teams rounds the corners itself).
writeFileSync(join(OUT_DIR, 'color.png'), draw(192, (c) => [mix(ACCENT[0], c), mix(ACCENT[1], c), mix(ACCENT[2], c), 255]));
// Outline icon: only white, with coverage as alpha; everything else fully transparent.
writeFileSync(join(OUT_DIR, 'outline.png'), draw(32, (c) => [255, 255, 255, Math.round(255 * c)]));
console.log(`wrote ${join(OUT_DIR, 'color.png')} and ${join(OUT_DIR, 'outline.png')}`);
