import { SandboxInvoiceProvider, SandboxPaymentGateway } from "@settle/adapters"
import {
  AuditLog,
  CouponRepository,
  CouponReservationRepository,
  IdempotencyKeys,
  InvoiceProvider,
  Ledger,
  OrderRepository,
  PaymentGateway,
  ProductCatalog,
  type StoragePorts,
  WebhookEventInbox,
} from "@settle/domain"
import { Layer } from "effect"
import * as ControlledClock from "./fakes/ControlledClock.js"
import * as MemoryMediaStorage from "./fakes/MemoryMediaStorage.js"
import * as MemoryMetrics from "./fakes/MemoryMetrics.js"
import * as SequentialIds from "./fakes/SequentialIds.js"
import { crashable, gatewayCrash, invoiceCrash, storeCrash } from "./faults/FaultInjection.js"
import { scheduled } from "./faults/Interleaving.js"
import { T0 } from "./fixtures.js"

export type { StoragePorts }

/** Clock, ids, the sandbox gateway, invoices, metrics and media, each with its test control. */
export const fakes = (start: Date = T0) =>
  Layer.mergeAll(
    ControlledClock.layer(start),
    SequentialIds.layer,
    SandboxPaymentGateway.layerSequential,
    SandboxInvoiceProvider.layer(),
    MemoryMetrics.layer,
    MemoryMediaStorage.layer,
  )

/** Storage (memory or a real database) plus the fakes: everything a use-case can ask for. */
export const world = <E>(storage: Layer.Layer<StoragePorts, E>, start: Date = T0) =>
  Layer.merge(storage, fakes(start))

/** The ports a crash can hit, each failing the way its real adapter would. */
export const crashablePorts = [
  crashable(OrderRepository, storeCrash),
  crashable(ProductCatalog, storeCrash),
  crashable(CouponRepository, storeCrash),
  crashable(CouponReservationRepository, storeCrash),
  crashable(WebhookEventInbox, storeCrash),
  crashable(Ledger, storeCrash),
  crashable(AuditLog, storeCrash),
  crashable(IdempotencyKeys, storeCrash),
  crashable(PaymentGateway, gatewayCrash),
  crashable(InvoiceProvider, invoiceCrash, ["mode"]),
] as const

/** The ports whose calls a race explores the interleavings of. */
export const racingPorts = [
  scheduled(OrderRepository),
  scheduled(ProductCatalog),
  scheduled(CouponRepository),
  scheduled(CouponReservationRepository),
  scheduled(WebhookEventInbox),
  scheduled(Ledger),
  scheduled(IdempotencyKeys),
  scheduled(PaymentGateway),
] as const
