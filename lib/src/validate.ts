/**
 * Parameter validation with sharp-style messages:
 * `Expected integer in [2, 10] for k but received 12 of type number`.
 */

/** Error raised for an invalid argument or option. `param` names the offending parameter. */
export class InvalidParameterError extends Error {
  readonly param: string;
  constructor(param: string, expected: string, received: unknown) {
    super(`Expected ${expected} for ${param} but received ${describe(received)}`);
    this.name = 'InvalidParameterError';
    this.param = param;
  }
}

/** Error raised when data makes an operation impossible (for example fewer faces than clusters). */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** Short description of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value.length > 60 ? value.slice(0, 57) + '...' : value}' of type string`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} of type ${typeof value}`;
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  return `a value of type ${typeof value}`;
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** Asserts an integer in [min, max] (inclusive) and returns it. */
export function integerInRange(param: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InvalidParameterError(param, `integer ${range}`, value);
  }
  return value;
}

/** Asserts a finite number in [min, max] (inclusive) and returns it. */
export function numberInRange(param: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range =
      min === -Infinity && max === Infinity ? 'finite number' :
      max === Infinity ? `number >= ${min}` :
      min === -Infinity ? `number <= ${max}` : `number in [${min}, ${max}]`;
    throw new InvalidParameterError(param, range, value);
  }
  return value;
}

/** Asserts one of the allowed string values and returns it. */
export function oneOf<T extends string>(param: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidParameterError(param, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** Asserts a non-empty string and returns it. */
export function nonEmptyString(param: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidParameterError(param, 'non-empty string', value);
  }
  return value;
}

/** Asserts a boolean and returns it. */
export function boolean(param: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidParameterError(param, 'boolean', value);
  return value;
}

/**
 * Merges user options over defaults, rejecting unknown option names
 * (a misspelt option silently ignored is a bug the user never sees).
 */
export function withDefaults<T extends object>(what: string, defaults: T, options: Partial<T> | undefined): T {
  if (options === undefined || options === null) return { ...defaults };
  if (typeof options !== 'object') throw new InvalidParameterError(what, 'object of options', options);
  for (const key of Object.keys(options)) {
    if (!(key in defaults)) {
      throw new InvalidParameterError(
        `${what}.${key}`,
        `a known option (${Object.keys(defaults).join(', ')})`,
        key,
      );
    }
  }
  const out = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value;
  return out as T;
}
