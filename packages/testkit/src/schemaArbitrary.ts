import { Arbitrary, FastCheck as fc3, type Schema } from "effect"
import * as fc from "fast-check"

type SourceRng = ConstructorParameters<typeof fc3.Random>[0]

const INT32_MIN = -0x80000000
const INT32_MAX = 0x7fffffff

/** A 32-bit generator for fast-check 3 that draws from a fast-check 4 Random, counting draws. */
const sourceOf = (random: fc.Random, onDraw: () => void): SourceRng => {
  const draw = () => {
    onDraw()
    return random.nextInt(INT32_MIN, INT32_MAX)
  }
  const source: SourceRng = {
    clone: () => sourceOf(random.clone(), onDraw),
    next: () => [draw(), source],
    unsafeNext: draw,
  }
  return source
}

const toValue = <A>(value: fc3.Value<A>): fc.Value<A> =>
  new fc.Value(value.value_, value.context, value.hasToBeCloned ? () => value.value : undefined)

/**
 * effect's `Arbitrary.make` builds on the fast-check 3 bundled with effect; this runs such an
 * arbitrary inside fast-check 4 (our runner and `fc.scheduler()`), keeping its shrinking.
 */
class FromFastCheck3<A> extends fc.Arbitrary<A> {
  constructor(private readonly inner: fc3.Arbitrary<A>) {
    super()
  }

  generate(random: fc.Random, biasFactor: number | undefined): fc.Value<A> {
    // fast-check 3 clones the source it is given; replaying its draws on `random` afterwards keeps
    // later arbitraries from seeing the same numbers again.
    let draws = 0
    const value = this.inner.generate(
      new fc3.Random(
        sourceOf(random.clone(), () => {
          draws++
        }),
      ),
      biasFactor,
    )
    for (let i = 0; i < draws; i++) random.nextInt(INT32_MIN, INT32_MAX)
    return toValue(value)
  }

  canShrinkWithoutContext(value: unknown): value is A {
    return this.inner.canShrinkWithoutContext(value)
  }

  shrink(value: A, context: unknown): fc.Stream<fc.Value<A>> {
    const shrinks = this.inner.shrink(value, context)
    return new fc.Stream(
      (function* () {
        for (const shrunk of shrinks) yield toValue(shrunk)
      })(),
    )
  }
}

/** A fast-check 4 arbitrary of the values `schema` accepts (its Type side). */
export const fromSchema = <A, I, R>(schema: Schema.Schema<A, I, R>): fc.Arbitrary<A> =>
  new FromFastCheck3(Arbitrary.make(schema))
