import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomInt } from 'node:crypto';

/**
 * Field encryption for personal data (phone numbers, ID numbers): AES-256-GCM with a key derived from the
 * instance key, stored as `v1.<iv>.<tag>.<ciphertext>` in base64url. Keyed hashes allow exact search and
 * uniqueness without decrypting.
 */
export class FieldCipher {
  private readonly encKey: Buffer;
  private readonly hashKey: Buffer;

  constructor(instanceKey: Buffer) {
    this.encKey = createHmac('sha256', instanceKey).update('tuanwu:field-encryption').digest();
    this.hashKey = createHmac('sha256', instanceKey).update('tuanwu:field-hash').digest();
  }

  /** IVs come from a pool filled in large blocks: one system call per 4096 encryptions instead of one each. */
  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;
  private nextIv(): Buffer {
    if (this.ivOffset + 12 > this.ivPool.length) {
      this.ivPool = randomBytes(12 * 4096);
      this.ivOffset = 0;
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + 12);
    this.ivOffset += 12;
    return iv;
  }

  encrypt(plain: string): string {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(
      '.',
    );
  }

  decrypt(stored: string): string {
    const [v, iv, tag, data] = stored.split('.');
    if (v !== 'v1' || !iv || !tag || data === undefined) throw new Error('无法识别的密文格式');
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  hash(value: string): string {
    return createHmac('sha256', this.hashKey).update(value).digest('base64url');
  }
}

/** `13812345678` → `138****5678`; other lengths keep the first 3 and last 4 when long enough. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return phone.slice(0, 1) + '*'.repeat(Math.max(0, phone.length - 1));
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/** Masked form from the stored last four digits alone, without decrypting. */
export function maskFromLast4(last4: string | null): string | null {
  return last4 ? `***${last4}` : null;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Readable codes without look-alike characters (no 0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function randomCode(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/** A password a person can type from a screen: 4 groups of 4, about 79 bits. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let s = '';
    for (let i = 0; i < 4; i++) s += alphabet[randomInt(alphabet.length)];
    groups.push(s);
  }
  return groups.join('-');
}
