import { InvoiceModeChange, InvoiceModeSetting, StoreError } from "@settle/domain"
import { Effect, Layer } from "effect"
import { fromDocument } from "./documents.js"
import { MongoDatabase } from "./MongoDatabase.js"
import { mongoCall, mongoRead } from "./mongoCall.js"

const COLLECTION = "settings"
/** One small document per setting, so every replica reads the same one. */
const INVOICE_MODE = "invoiceMode"

type SettingDocument = InvoiceModeChange & { readonly _id: string }

export const make: Effect.Effect<InvoiceModeSetting, never, MongoDatabase> = Effect.map(
  MongoDatabase,
  ({ db }) => {
    const settings = db.collection<SettingDocument>(COLLECTION)
    const decode = fromDocument(InvoiceModeChange, COLLECTION, null)
    const replace = (change: InvoiceModeChange) =>
      mongoCall(COLLECTION, "replaceOne", () =>
        settings.replaceOne({ _id: INVOICE_MODE }, change, { upsert: true }),
      )

    return InvoiceModeSetting.of({
      current: mongoRead(COLLECTION, "findOne", () => settings.findOne({ _id: INVOICE_MODE })).pipe(
        Effect.flatMap((doc) => (doc === null ? Effect.succeedNone : Effect.asSome(decode(doc)))),
      ),
      // The last switch wins. Two first switches at once can both try to insert (FerretDB answers one
      // of them 11000, MongoDB may too); the second write then finds the document and replaces it.
      record: (change) =>
        replace(change).pipe(
          Effect.catchTag("DuplicateKey", () => replace(change)),
          Effect.catchTag("DuplicateKey", (error) =>
            Effect.fail(
              new StoreError({ message: `[db] ${COLLECTION}.replaceOne: unexpected ${error.key}` }),
            ),
          ),
          Effect.asVoid,
        ),
    })
  },
)

export const layer: Layer.Layer<InvoiceModeSetting, never, MongoDatabase> = Layer.effect(
  InvoiceModeSetting,
  make,
)
