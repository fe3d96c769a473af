import { decodeBase64Url, encodeBase64Url } from "../base64url.ts";
import type { EncryptionKey } from "../config.ts";

/**
 * Seals secrets with AES-256-GCM: a fresh 96-bit IV per seal, the record's identity as
 * associated data (a sealed value cannot be moved to another record), and the key id in the
 * value so that older keys still open what they sealed. The first key seals.
 */
export class Sealer {
  readonly #keys: Map<string, Promise<CryptoKey>>;
  readonly #sealingKeyId: string;

  constructor(keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error("At least one encryption key is needed.");
    this.#sealingKeyId = keys[0].id;
    this.#keys = new Map(
      keys.map((k) => [
        k.id,
        crypto.subtle.importKey("raw", k.key as BufferSource, "AES-GCM", false, [
          "encrypt",
          "decrypt",
        ]),
      ]),
    );
  }

  async seal(plaintext: string, associatedData: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await this.#keys.get(this.#sealingKeyId)!;
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encode(associatedData) },
      key,
      encode(plaintext),
    );
    return `v1.${this.#sealingKeyId}.${encodeBase64Url(iv)}.${
      encodeBase64Url(new Uint8Array(sealed))
    }`;
  }

  /** Opens a sealed value; throws when the key is unknown or the value was altered or moved. */
  async open(sealed: string, associatedData: string): Promise<string> {
    const [version, keyId, iv, data] = sealed.split(".");
    const key = keyId === undefined ? undefined : this.#keys.get(keyId);
    if (version !== "v1" || key === undefined || iv === undefined || data === undefined) {
      throw new SealError("sealed value has an unknown format or key id");
    }
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: decodeBase64Url(iv), additionalData: encode(associatedData) },
        await key,
        decodeBase64Url(data),
      );
      return new TextDecoder().decode(plain);
    } catch (error) {
      throw new SealError("sealed value could not be opened", { cause: error });
    }
  }
}

export class SealError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SealError";
  }
}

/** Makes a new random key in the ENCRYPTION_KEYS format. */
export function generateEncryptionKey(id: string): string {
  return `${id}:${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
}

function encode(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}
