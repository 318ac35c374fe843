// Every place a case event can go. A sink module adds itself here (one line); the dispatcher
// (src/events/dispatch.ts) hands each event to all of them.
import type { EventSink } from './events.ts'
import { chatSink } from '../integrations/chat/sink.ts'
import { webhookSink } from '../webhooks/sink.ts'

export const eventSinks: EventSink[] = [webhookSink, chatSink]
