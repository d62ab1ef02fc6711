/** The password every demo user has in seeds/users.csv: benchmarks and browser tests sign in with it. */
export const demoPassword = 'GreenParcel-demo'
