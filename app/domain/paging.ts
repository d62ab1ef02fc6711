/**
 * Pages of a long list (an outlet register): the page asked for in the query,
 * whole and within bounds, else the first; never a page past what a bigint
 * offset can hold.
 */
export interface PageRequest {
  page: number
  offset: number
  limit: number
}

export function pageOf(value: string | null, perPage: number): PageRequest {
  const asked = Number(value ?? '1')
  const page = Number.isInteger(asked) && asked >= 1 && asked <= 1_000_000 ? asked : 1
  return { page, offset: (page - 1) * perPage, limit: perPage }
}

/** What a pager shows: this page's first and last position (1-based) and the number of pages. */
export function pageView(request: PageRequest, shown: number, total: number) {
  return {
    page: request.page,
    pages: Math.max(1, Math.ceil(total / request.limit)),
    from: request.offset + 1,
    to: request.offset + shown,
    total,
  }
}

export type PageView = ReturnType<typeof pageView>
