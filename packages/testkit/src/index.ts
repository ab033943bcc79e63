/**
 * What only tests need: a controlled clock, sequential ids, fakes with test controls, fault injection,
 * interleavings under fc.scheduler(), arbitraries and fixtures, and ready worlds. The in-memory stores
 * and the sandbox gateway are production adapters in `@settle/adapters`; they are re-exported here so a
 * test imports everything from one place. Contract suites: `@settle/testkit/suites`; invariant
 * suites: `@settle/testkit/invariants`; fixtures: `@settle/testkit/fixtures`.
 */
export {
  InvoiceControl,
  type IssuedInvoice,
  MemoryAuditLog,
  MemoryCouponRepository,
  MemoryCouponReservationRepository,
  MemoryInvoiceModeSetting,
  MemoryJobLeases,
  MemoryLedger,
  MemoryMediaAssetRepository,
  MemoryOrderRepository,
  MemoryProductCatalog,
  MemoryStorage,
  MemoryWebhookEventInbox,
  memoryStorage,
  type SandboxCapture,
  SandboxControl,
  SandboxInvoiceProvider,
  type SandboxPayment,
  SandboxPaymentGateway,
  type SandboxRefund,
  SandboxRefused,
  type SandboxSession,
} from "@settle/adapters"
export * as arbitraries from "./arbitraries.js"
export * as ControlledClock from "./fakes/ControlledClock.js"
export { ClockControl } from "./fakes/ControlledClock.js"
export * as LoopbackCloudinary from "./fakes/LoopbackCloudinary.js"
export * as MemoryMediaStorage from "./fakes/MemoryMediaStorage.js"
export { MediaControl } from "./fakes/MemoryMediaStorage.js"
export * as MemoryMetrics from "./fakes/MemoryMetrics.js"
export { MetricsProbe } from "./fakes/MemoryMetrics.js"
export * as SequentialIds from "./fakes/SequentialIds.js"
export * from "./faults/FaultInjection.js"
export * from "./faults/Interleaving.js"
export * from "./faults/PortCalls.js"
export * as fixtures from "./fixtures.js"
export { type FreshDatabaseOptions, freshMongoDatabase } from "./mongo/freshDatabase.js"
export { fromSchema } from "./schemaArbitrary.js"
export { crashablePorts, fakes, racingPorts, type StoragePorts, world } from "./world.js"
