import type { Command } from "./Command.js"
import { doctor } from "./doctor/doctor.js"
import type { CommandGroup } from "./help.js"
import { invoiceRetry } from "./invoiceRetry.js"
import { note } from "./note.js"
import { failedInvoices, stuckPaid } from "./orderQueries.js"
import { stuckReservations, unfinalizedEvents } from "./recordQueries.js"
import { replay } from "./replay.js"
import { expireReservationsCommand, repairReservationsCommand } from "./reservationJobs.js"
import { reviewAccept, reviewRefund } from "./review.js"

export const GROUPS: ReadonlyArray<CommandGroup> = [
  {
    title: "Queries (read-only)",
    commands: [stuckPaid, failedInvoices, stuckReservations, unfinalizedEvents],
  },
  {
    title: "Recovery (audited; --dry-run first)",
    commands: [
      replay,
      invoiceRetry,
      expireReservationsCommand,
      repairReservationsCommand,
      reviewAccept,
      reviewRefund,
      note,
    ],
  },
  { title: "Configuration", commands: [doctor] },
]

export const COMMANDS: ReadonlyMap<string, Command> = new Map(
  GROUPS.flatMap((group) => group.commands.map((command) => [command.name, command] as const)),
)
