import { CloudinaryMediaStorage, LocalDiskMediaStorage } from "@settle/adapters"
import { Redacted } from "effect"
import { type Config, DEFAULTS } from "../config/index.js"

export type MediaStorePlan =
  | { readonly _tag: "LocalDisk"; readonly directory: string }
  | ({ readonly _tag: "Cloudinary" } & CloudinaryMediaStorage.CloudinaryConfig)

export interface MediaPlan {
  /** Uploads above this many bytes are refused with 413. */
  readonly maxBytes: number
  readonly store: MediaStorePlan
}

/** What an embedding or a test gets unless it says otherwise: the config's defaults. */
export const DEFAULT_MEDIA_PLAN: MediaPlan = {
  maxBytes: DEFAULTS.mediaMaxBytes,
  store: { _tag: "LocalDisk", directory: DEFAULTS.mediaDir },
}

/** The decoded media config in the shape the layer takes; the secret leaves its Redacted wrapper here. */
export const mediaPlan = (config: Config): MediaPlan => {
  const { store } = config.media
  return {
    maxBytes: config.media.maxBytes,
    store:
      store._tag === "LocalDisk"
        ? store
        : {
            _tag: "Cloudinary",
            cloudName: store.cloudName,
            apiKey: Redacted.value(store.apiKey),
            apiSecret: Redacted.value(store.apiSecret),
            folder: store.folder,
            apiBaseUrl: store.apiBaseUrl,
          },
  }
}

/**
 * MediaStorage by plan. Local disk also provides the lookup the `/media/:name` route serves from; with
 * Cloudinary that route finds no store and answers 404, since Cloudinary serves its own URLs.
 */
export const mediaLayer = (plan: MediaStorePlan, publicUrl: () => string) =>
  plan._tag === "LocalDisk"
    ? LocalDiskMediaStorage.layer({ directory: plan.directory, publicUrl })
    : CloudinaryMediaStorage.layer(plan)
