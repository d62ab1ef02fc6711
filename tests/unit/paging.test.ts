import { describe, expect, it } from 'vitest'
import { pageOf, pageView } from '#app/domain/paging.ts'

describe('pages of a register', () => {
  it('takes a whole page number within bounds, else the first', () => {
    expect(pageOf('3', 20)).toEqual({ page: 3, offset: 40, limit: 20 })
    for (const bad of [null, '', '0', '-1', '2.5', 'x', '1e9', '99999999999']) expect(pageOf(bad, 20).page).toBe(1)
  })
  it('shows positions and the page count: 51 outlets, page 3 of 3 holds 41–51', () => {
    expect(pageView(pageOf('3', 20), 11, 51)).toEqual({ page: 3, pages: 3, from: 41, to: 51, total: 51 })
    expect(pageView(pageOf('1', 20), 0, 0)).toMatchObject({ pages: 1, from: 1, to: 0 })
  })
})
