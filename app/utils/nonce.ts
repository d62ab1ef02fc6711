import { createContext, useContext } from 'react'

declare module '@remix-run/node' {
  interface AppLoadContext {
    /** This response's Content-Security-Policy nonce (server.ts). */
    cspNonce?: string
  }
}

/**
 * The CSP nonce for the inline scripts root.tsx renders, provided by
 * entry.server.tsx. Empty in the browser: browsers hide a nonce from the
 * page's scripts, and the scripts it guarded have run by then.
 */
export const NonceContext = createContext('')

export function useNonce(): string {
  return useContext(NonceContext)
}
