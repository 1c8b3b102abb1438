// minimatch 3.x, task-lib's own dependency (the same copy goes into the bundle); it ships no types of its own.
declare module 'minimatch' {
    interface MinimatchOptions {
        debug?: boolean;
        nobrace?: boolean;
        noglobstar?: boolean;
        dot?: boolean;
        noext?: boolean;
        nocase?: boolean;
        nonull?: boolean;
        matchBase?: boolean;
        nocomment?: boolean;
        nonegate?: boolean;
        flipNegate?: boolean;
    }

    class Minimatch {
        constructor(pattern: string, options?: MinimatchOptions);
        /** One array per brace expansion: a string per literal path segment, a RegExp (or GLOBSTAR) per glob. */
        readonly set: (string | RegExp | object)[][];
        match(path: string): boolean;
    }

    function minimatch(path: string, pattern: string, options?: MinimatchOptions): boolean;
    namespace minimatch {
        export { Minimatch, MinimatchOptions };
    }
    export = minimatch;
}
