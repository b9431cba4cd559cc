import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 64 }

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)))
  })
}

/** scrypt with a random salt; the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, SCRYPT.keyLength, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: 128 * SCRYPT.N * SCRYPT.r * 2,
  })
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64url')
  const N = Number(n)
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N,
    r: Number(r),
    p: Number(p),
    maxmem: 128 * N * Number(r) * 2,
  })
  return timingSafeEqual(actual, expected)
}

/** A hash to compare against when the account does not exist, so timing does not reveal it. */
export const DUMMY_PASSWORD_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(86)}`

/** For secrets with 256 bits of entropy (API tokens, session ids) a plain SHA-256 is enough. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

export function newApiToken(): string {
  return `lgds_${randomBytes(32).toString('base64url')}`
}

/** Random bytes drawn from the operating system a few thousand ids at a time. */
const ID_POOL = 16 * 4096
let idPool = Buffer.alloc(0)
let idAt = ID_POOL
/** The millisecond of the last id made, and its counter (the 12 bits after the version). */
let lastMs = 0
let counter = 0

/**
 * A record's id: a UUID version 7 (RFC 9562), the time in milliseconds, a counter, then random
 * bits. Records made one after another get ids in the same order, so each new row of a table or
 * an index keyed by id is appended at its end instead of landing on a random page (an import of a
 * hundred thousand datasets wrote to every page of those B-trees), and records made in the same
 * millisecond still sort in the order made (the RFC's counter method; a counter that runs out
 * moves on to the next millisecond). Not for secrets: the time a record was made is readable in
 * its id, as it is on the record itself.
 */
export function newId(): string {
  if (idAt === ID_POOL) {
    idPool = randomBytes(ID_POOL)
    idAt = 0
  }
  const bytes = idPool.subarray(idAt, (idAt += 16))
  const now = Date.now()
  if (now > lastMs) {
    lastMs = now
    // Starting low in the counter's range leaves room for the millisecond's other ids.
    counter = ((bytes[6]! << 8) | bytes[7]!) & 0x7ff
  } else if (++counter > 0xfff) {
    lastMs += 1
    counter = ((bytes[6]! << 8) | bytes[7]!) & 0x7ff
  }
  bytes.writeUIntBE(lastMs, 0, 6)
  bytes[6] = 0x70 | (counter >> 8)
  bytes[7] = counter & 0xff
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
