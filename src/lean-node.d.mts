// Types of src/lean-node.mjs (plain JavaScript: it runs before tsx is loaded).
export declare const leanCommands: Set<string>
export declare const leanFlags: string[]
export declare function runsLean(execArgv?: string[]): boolean
export declare function rerunLean(command: string | undefined, script: string, args: string[]): Promise<number | null>
