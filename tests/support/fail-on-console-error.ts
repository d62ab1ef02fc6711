import { afterEach, beforeEach, vi } from 'vitest'

// A console.error during a test means something went wrong that no assertion
// caught; fail loudly instead of letting it scroll past.
let spy: ReturnType<typeof vi.spyOn> | undefined

beforeEach(() => {
  spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    throw new Error(`console.error was called: ${args.map(String).join(' ')}`)
  })
})

afterEach(() => {
  spy?.mockRestore()
})
