import { WebhookEventInboxSuite } from "@settle/testkit/suites"
import { Layer } from "effect"
import * as MongoWebhookEventInbox from "../../src/mongo/MongoWebhookEventInbox.js"
import { freshDatabase, serverRaces } from "../support/mongoStorage.js"

WebhookEventInboxSuite.suite(
  "MongoWebhookEventInbox",
  MongoWebhookEventInbox.layer.pipe(Layer.provide(freshDatabase)),
  // On FerretDB concurrent attempts +1 race (see ferretdbLimits.test.ts); elsewhere the full contract runs.
  serverRaces(),
)
