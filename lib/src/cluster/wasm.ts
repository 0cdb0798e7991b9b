/**
 * A WebAssembly SIMD kernel for the one operation that dominates the cluster stage: blocks of dot
 * products between rows (pairwise distances, distances to centres). Node runs it 3-4x faster
 * than the best plain-JS loop (f64x2 lanes, 4 x 2 register tiles), in float64 like the rest.
 *
 * The module is assembled here from its instructions (a few hundred bytes, no toolchain or
 * download). When WebAssembly SIMD is unavailable, `bindGram` returns null and callers keep the
 * JS loops (kernels.ts); results agree to rounding.
 *
 * Use: `bindGram(data, n, d)` copies a matrix into the module's memory (rows padded to an even
 * number of features, zero rows appended); then `dots()` multiplies row blocks of it with another
 * small matrix (centres) or with its own rows. One bound matrix per thread; binding another
 * replaces it (entry points bind their own data, so a stale copy is never used).
 */

/** The few WebAssembly APIs used (the project's TypeScript lib has no WebAssembly types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/**
 * The module: `gram(a, na, b, nb, d2, out, idx)` writes out[i * nb + j] = A_i . B_j for i < na
 * (multiple of 4) and j < nb (multiple of 2), rows of d2 f64x2 vectors at byte addresses a and b;
 * with idx != 0, A_i is the row idx[i] (int32 at byte address idx) after a.
 */
function assemble(): Uint8Array {
  const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
  const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
  const P = { a: 0, na: 1, b: 2, nb: 3, d2: 4, out: 5, idx: 6 } as Record<string, number>;
  let next = 7;
  const L: Record<string, number> = {};
  for (const name of ['i', 'j', 't', 'pa0', 'pa1', 'pa2', 'pa3', 'pb0', 'pb1', 'rb', 'o']) L[name] = next++;
  for (const name of ['a00', 'a01', 'a10', 'a11', 'a20', 'a21', 'a30', 'a31', 'y0', 'y1', 'x']) L[name] = next++;
  const get = (name: string): number[] => [0x20, ...uleb(L[name] ?? P[name])];
  const set = (name: string): number[] => [0x21, ...uleb(L[name])];
  const tee = (name: string): number[] => [0x22, ...uleb(L[name])];
  const i32 = (v: number): number[] => [0x41, ...sleb(v)];
  const ADD = [0x6a], MUL = [0x6c], SHL = [0x74], GEU = [0x4f];
  const load = [0xfd, 0x00, 4, 0];
  const F2ADD = [0xfd, ...uleb(240)], F2MUL = [0xfd, ...uleb(242)];
  const lane = (l: number): number[] => [0xfd, 0x21, l];
  const ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const F64ADD = [0xa0];
  const store = (off: number): number[] => [0x39, 3, ...uleb(off)];
  const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], END = [0x0b];
  const EXIT_IF = [0x0d, 1], AGAIN = [0x0c, 0];
  const accs = [['a00', 'a01'], ['a10', 'a11'], ['a20', 'a21'], ['a30', 'a31']];
  const body = [
    ...get('d2'), ...i32(4), ...SHL, ...set('rb'),
    ...i32(0), ...set('i'),
    ...BLOCK, ...LOOP,
    ...get('i'), ...get('na'), ...GEU, ...EXIT_IF,
    // row addresses: contiguous from a, or a + idx[i + r] * rb when an index list is given
    ...get('idx'), 0x04, 0x40,
    ...[0, 1, 2, 3].flatMap((r) => [
      ...get('a'), ...get('idx'), ...get('i'), ...i32(2), ...SHL, ...ADD, 0x28, 2, ...uleb(4 * r), ...get('rb'), ...MUL, ...ADD, ...set(`pa${r}`),
    ]),
    0x05,
    ...get('a'), ...get('i'), ...get('rb'), ...MUL, ...ADD, ...tee('pa0'), ...get('rb'), ...ADD, ...tee('pa1'),
    ...get('rb'), ...ADD, ...tee('pa2'), ...get('rb'), ...ADD, ...set('pa3'),
    ...END,
    ...i32(0), ...set('j'),
    ...BLOCK, ...LOOP,
    ...get('j'), ...get('nb'), ...GEU, ...EXIT_IF,
    ...get('b'), ...get('j'), ...get('rb'), ...MUL, ...ADD, ...tee('pb0'), ...get('rb'), ...ADD, ...set('pb1'),
    ...accs.flat().flatMap((a) => [...ZERO, ...set(a)]),
    ...i32(0), ...set('t'),
    ...BLOCK, ...LOOP,
    ...get('t'), ...get('rb'), ...GEU, ...EXIT_IF,
    ...get('pb0'), ...get('t'), ...ADD, ...load, ...set('y0'),
    ...get('pb1'), ...get('t'), ...ADD, ...load, ...set('y1'),
    ...['pa0', 'pa1', 'pa2', 'pa3'].flatMap((pa, r) => [
      ...get(pa), ...get('t'), ...ADD, ...load, ...set('x'),
      ...get(accs[r][0]), ...get('x'), ...get('y0'), ...F2MUL, ...F2ADD, ...set(accs[r][0]),
      ...get(accs[r][1]), ...get('x'), ...get('y1'), ...F2MUL, ...F2ADD, ...set(accs[r][1]),
    ]),
    ...get('t'), ...i32(16), ...ADD, ...set('t'),
    ...AGAIN, ...END, ...END,
    ...get('out'), ...get('i'), ...get('nb'), ...MUL, ...get('j'), ...ADD, ...i32(3), ...SHL, ...ADD, ...set('o'),
    ...accs.flatMap((pair) => [
      ...pair.flatMap((a, c) => [...get('o'), ...get(a), ...lane(0), ...get(a), ...lane(1), ...F64ADD, ...store(c * 8)]),
      ...get('o'), ...get('nb'), ...i32(3), ...SHL, ...ADD, ...set('o'),
    ]),
    ...get('j'), ...i32(2), ...ADD, ...set('j'),
    ...AGAIN, ...END, ...END,
    ...get('i'), ...i32(4), ...ADD, ...set('i'),
    ...AGAIN, ...END, ...END,
    ...END,
  ];
  const func = [...vec([[...uleb(11), 0x7f], [...uleb(11), 0x7b]]), ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec([[0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f], [0x7f], [0x7f], [0x7f]]), 0]])),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str('gram'), 0x00, 0]])),
    ...section(10, vec([[...uleb(func.length), ...func]])),
  ]);
}

let compiled: WasmModule | null | undefined;
let enabled = true;

/**
 * Turns the WASM distance kernels on or off (off: the plain JavaScript fallback, same results);
 * config.ts reads FACETYPE_NO_WASM and the stages pass it here. Per thread: the cluster workers
 * are started with the caller's setting.
 */
export function useWasmKernels(on: boolean): void {
  enabled = on;
  bound = null; // a matrix bound before must not keep the kernel in use
}

/** Whether the WASM kernels are switched on in this thread (see useWasmKernels). */
export function wasmKernelsEnabled(): boolean {
  return enabled;
}

function module(): WasmModule | null {
  if (!enabled) return null;
  if (compiled !== undefined) return compiled;
  try {
    const bytes = assemble();
    compiled = WA !== undefined && WA.validate(bytes) ? new WA.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Largest number of rows of the second operand (centres, or a block of rows) per call. */
export const GRAM_MAX_B = 256;

/** A matrix bound into the kernel's memory. */
export class Gram {
  data: Float64Array;
  n: number;
  d: number;
  /** Features per padded row (even). */
  private dp: number;
  private readonly mem: WasmMemory;
  private readonly gram: (a: number, na: number, b: number, nb: number, d2: number, out: number, idx: number) => void;
  private idxOff = 0;
  private i32: Int32Array;
  private cOff = 0;
  private outOff = 0;
  private f64: Float64Array;

  constructor(data: Float64Array, n: number, d: number, mod: WasmModule) {
    this.mem = new WA!.Memory({ initial: 1 });
    const inst = new WA!.Instance(mod, { env: { memory: this.mem } });
    this.gram = inst.exports.gram as Gram['gram'];
    this.data = data;
    this.n = n;
    this.d = d;
    this.dp = d;
    this.f64 = new Float64Array(this.mem.buffer);
    this.i32 = new Int32Array(this.mem.buffer);
    this.load(data, n, d);
  }

  /** Copies a matrix in (growing the memory when needed). */
  load(data: Float64Array, n: number, d: number): void {
    this.data = data;
    this.n = n;
    this.d = d;
    const dp = (this.dp = d + (d & 1));
    this.cOff = (n + 8) * dp;
    this.outOff = this.cOff + (GRAM_MAX_B + 8) * dp;
    this.idxOff = this.outOff + 260 * (GRAM_MAX_B + 8);
    const bytes = this.idxOff * 8 + 4 * (GRAM_MAX_B + 8);
    if (bytes > this.mem.buffer.byteLength) this.mem.grow(Math.ceil((bytes - this.mem.buffer.byteLength) / 65536));
    this.f64 = new Float64Array(this.mem.buffer);
    this.i32 = new Int32Array(this.mem.buffer);
    if (dp === d) this.f64.set(data.subarray(0, n * d), 0);
    else for (let i = 0; i < n; i++) { this.f64.set(data.subarray(i * d, i * d + d), i * dp); this.f64[i * dp + d] = 0; }
    this.f64.fill(0, n * dp, (n + 8) * dp);
  }

  /**
   * out[(i - r0) * k + c] = X_i . C_c for rows [r0, r1) (r1 - r0 <= 256) of the bound matrix and
   * the k <= 256 rows of C (or, with C null, rows [c0, c0 + k) of the bound matrix). With `rows`,
   * the rows are rows[r0..r1) instead (a gathered subset).
   */
  dots(r0: number, r1: number, C: Float64Array | null, k: number, out: Float64Array, c0 = 0, rows: Int32Array | null = null): void {
    const f = this.f64;
    const d = this.d, dp = this.dp;
    let bAddr: number;
    if (C === null) {
      bAddr = c0 * dp * 8;
    } else {
      const o = this.cOff;
      if (dp === d) f.set(C.subarray(0, k * d), o);
      else for (let c = 0; c < k; c++) { f.set(C.subarray(c * d, c * d + d), o + c * dp); f[o + c * dp + d] = 0; }
      // a zero row after the last one (read when k is odd)
      f.fill(0, o + k * dp, o + (k + 1) * dp);
      bAddr = o * 8;
    }
    const na = r1 - r0, nap = (na + 3) & ~3, kp = (k + 1) & ~1;
    if (rows !== null) {
      const ix = this.idxOff * 2;
      this.i32.set(rows.subarray(r0, r1), ix);
      this.i32.fill(0, ix + na, ix + nap);
      this.gram(0, nap, bAddr, kp, dp >> 1, this.outOff * 8, ix * 4);
    } else {
      this.gram(r0 * dp * 8, nap, bAddr, kp, dp >> 1, this.outOff * 8, 0);
    }
    const w = this.outOff;
    if (kp === k) out.set(f.subarray(w, w + na * k), 0);
    else for (let i = 0; i < na; i++) for (let c = 0; c < k; c++) out[i * k + c] = f[w + i * kp + c];
  }
}

let bound: Gram | null = null;

/**
 * Copies `data` into the kernel and makes it the bound matrix of this thread. `immutable`: the
 * caller guarantees the array never changes, so binding it again is free. Returns null when
 * WebAssembly SIMD is unavailable or the matrix is too large for 32-bit memory.
 */
export function bindGram(data: Float64Array, n: number, d: number, immutable = false): Gram | null {
  const mod = module();
  if (!mod || (n + GRAM_MAX_B + 300) * (d + 1) * 8 > 2 ** 31) return null;
  if (bound !== null && immutable && bound.data === data && bound.n === n && bound.d === d) return bound;
  if (bound === null) bound = new Gram(data, n, d, mod);
  else bound.load(data, n, d);
  return bound;
}

/** The bound matrix if it is `data`. */
export function gramOf(data: Float64Array): Gram | null {
  return bound !== null && bound.data === data ? bound : null;
}

/** Whether the SIMD kernel is in use (false: plain JS loops). */
export function wasmAvailable(): boolean {
  return module() !== null;
}
