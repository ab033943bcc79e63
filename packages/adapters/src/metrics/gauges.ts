import { type Counter, Gauge, type Registry } from "prom-client"

/**
 * What a scrape-time collector may answer besides a plain number: a value it could not refresh (the
 * last one read, or NaN), which is shown but still counted as a failed collection.
 */
export interface GaugeReading {
  readonly value: number
  readonly failed: boolean
}

/**
 * A gauge set from `collect` at scrape time. A store outage must not take /metrics down with it:
 * the scrape would fail as a whole and every other series, including the error counters an operator
 * needs during that outage, would go missing. The gauge reports NaN instead and the failure is counted
 * (visible from the next scrape on: prom-client reads the counters while the gauges still collect).
 */
export const registerScrapeGauge = (
  register: Registry,
  failures: Counter<"gauge">,
  name: string,
  help: string,
  collect: () => Promise<number | GaugeReading>,
): void => {
  if (register.getSingleMetric(name) !== undefined) {
    throw new Error(`metric ${name} is already registered`)
  }
  failures.inc({ gauge: name }, 0)
  new Gauge({
    name,
    help,
    registers: [register],
    async collect() {
      try {
        const reading = await collect()
        if (typeof reading === "number") return this.set(reading)
        this.set(reading.value)
        if (reading.failed) failures.inc({ gauge: name })
      } catch {
        this.set(Number.NaN)
        failures.inc({ gauge: name })
      }
    },
  })
}
