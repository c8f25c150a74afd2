import type { RouteDefinition } from '../routes';

/**
 * CloudFormation refuses a stack of more than 500 resources, and each route costs seven: its
 * function, role, policy, log group, invoke permission, integration and route. One stack holds
 * some 65 routes, so a surface of its own (a protocol for other apps, a family of routes that
 * grows together) goes into a nested stack of the API stack, named here. A route that no entry
 * claims stays in the API stack, under the ids it has always had, so a deployed stack keeps
 * its resources. test/cdk/stacks.test.ts holds every stack to a margin below the limit.
 */
export interface RouteStack {
  /** Construct id of the nested stack, and its name's suffix in CloudFormation. */
  id: string;
  description: string;
  holds: (route: RouteDefinition) => boolean;
}

export const routeStacks: readonly RouteStack[] = [
  {
    id: 'Gpodder',
    description: 'Playhead: the gpodder.net API v2 surface for existing podcast apps, and its app passwords',
    holds: (route) => route.path.startsWith('/gpodder/') || route.path.startsWith('/v1/gpodder/'),
  },
];

/** The nested stack a route belongs to, or undefined for the API stack itself. */
export function routeStackOf(route: RouteDefinition): RouteStack | undefined {
  const claimed = routeStacks.filter((stack) => stack.holds(route));
  if (claimed.length > 1) throw new Error(`${route.method} ${route.path} is claimed by route stacks ${claimed.map((s) => s.id).join(', ')}`);
  return claimed[0];
}
