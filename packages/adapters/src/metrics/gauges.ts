import { type Counter, Gauge, type Registry } from "prom-client"

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
  collect: () => Promise<number>,
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
        this.set(await collect())
      } catch {
        this.set(Number.NaN)
        failures.inc({ gauge: name })
      }
    },
  })
}
