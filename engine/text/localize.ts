/** Formats a user-facing message from task.json `messages` (tl.loc in the task; a recorder in unit tests). */
export type Localize = (key: string, ...params: (string | number)[]) => string;

/** Where the task's messages go: the build log, or a recorder in unit tests. */
export interface TaskLog {
    info(message: string): void;
    warning(message: string): void;
    debug(message: string): void;
}
