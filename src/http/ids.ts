const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A malformed id is simply not found (a 404), never a database error. */
export const isUuid = (value: string) => UUID.test(value)
