import { defaultMigrationsDir, readMigrations } from '../migrate.ts'

/**
 * The migration files this code ships, or null where they cannot be read (a Worker has no sql/
 * folder). The Node entry points hand it to the app (AppDeps.migrationFiles), so the app stays free of node:fs.
 */
export async function shippedMigrations(): Promise<string[] | null> {
  try {
    return (await readMigrations(defaultMigrationsDir)).map((file) => file.name)
  } catch {
    return null
  }
}
