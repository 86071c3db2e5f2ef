import { WHO_HEARS } from '../src/domain/notifications/audience.js';
import { EVENT_DESCRIPTIONS } from '../src/domain/notifications/event-schemas.js';
import {
  EVENT_CATALOGUE_VERSION,
  NOTIFICATION_EVENT_TYPES,
} from '../src/domain/notifications/event-types.js';

/** docs/events.md: the catalogue of notification events, generated from the code. */
export function renderEventCatalogue(): string {
  const rows = NOTIFICATION_EVENT_TYPES.map((type) => {
    const h = WHO_HEARS[type];
    const who = h.audiences.map((a) => (h.critical.includes(a) ? `${a} (critical)` : a)).join(', ');
    return `| \`${type}\` | ${who} | ${EVENT_DESCRIPTIONS[type]} | [schema](events/${type}.schema.json) |`;
  });
  return `<!-- Generated from src/domain/notifications by \`npm run docs:events\`; do not edit. -->

# Notification event catalogue (version ${EVENT_CATALOGUE_VERSION})

Every notification Elevate sends is one of these events. A webhook call carries it as its JSON body
(signed per Standard Webhooks: \`webhook-id\` = the delivery's idempotency key, \`webhook-timestamp\`,
\`webhook-signature\`):

\`\`\`json
{ "type": "activation.activated", "version": ${EVENT_CATALOGUE_VERSION}, "timestamp": "2026-11-27T10:15:00.000Z", "data": { … } }
\`\`\`

An email carries the event name in its \`X-Elevate-Event-Type\` header. Each type has a JSON Schema
(draft-07) under \`docs/events/\`; \`data\` has the same properties for every type, and a type's schema
narrows some of them (a request that must be there, an actor that is always null because time made
it happen). Names never change once shipped; a breaking change gets a new name, and additive
changes keep the version. Who hears each event by email, and how, is in \`docs/notifications.md\`;
webhook endpoints choose types with \`eventTypes\` (none = all).

| type | who hears it by email | when | schema |
|---|---|---|---|
${rows.join('\n')}
`;
}
