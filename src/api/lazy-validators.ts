import AjvCompiler from '@fastify/ajv-compiler';

/**
 * Fastify's validator factory (its own Ajv compiler, same options and shared schemas) with one change:
 * a route's validator is compiled on the route's first request instead of at start. Compiling every
 * route's schemas took most of a node's start after its modules had loaded (hundreds of routes), while
 * a node must answer /api/health at once; a route costs its compile once, on first use.
 */
type BuildValidator = ReturnType<typeof AjvCompiler>;
type RouteValidatorCompiler = ReturnType<BuildValidator>;
type Validator = ReturnType<RouteValidatorCompiler> & { errors?: unknown; schemaEnv?: unknown };

export function lazyValidatorFactory(): BuildValidator {
  const build = AjvCompiler();
  return ((externalSchemas: Parameters<BuildValidator>[0], options: Parameters<BuildValidator>[1]) => {
    const compile = build(externalSchemas, options);
    return ((route: Parameters<RouteValidatorCompiler>[0]) => {
      let compiled: Validator | null = null;
      const compiledOnce = (): Validator => (compiled ??= compile(route) as Validator);
      const validate = ((data: unknown, dataCtx?: unknown) => {
        const check = compiledOnce();
        const result = (check as (data: unknown, dataCtx?: unknown) => unknown)(data, dataCtx);
        // Fastify reads the errors from the function it was given.
        validate.errors = check.errors;
        return result;
      }) as Validator;
      // Fastify asks for Ajv's schemaEnv before each call (it then passes the parent object, so a coerced
      // root value is written back): the compiled validator's own.
      Object.defineProperty(validate, 'schemaEnv', { get: () => compiledOnce().schemaEnv });
      return validate;
    }) as RouteValidatorCompiler;
  }) as BuildValidator;
}
