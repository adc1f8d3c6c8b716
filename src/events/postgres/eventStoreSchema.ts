/**
 * DDL of the Postgres event store. Events are ordered globally by
 * (transaction_id, global_position) and readers only see transactions older than
 * the oldest one still running (pg_snapshot_xmin), so an event that commits late
 * can never be skipped (the sequence-gap problem).
 */
export const eventStoreSchemaSql = `
create table if not exists events (
  global_position bigint generated always as identity primary key,
  transaction_id xid8 not null default pg_current_xact_id(),
  stream_id text not null,
  stream_revision bigint not null,
  event_id uuid not null,
  type text not null,
  version int not null,
  data json not null,
  metadata json not null,
  unique (stream_id, stream_revision),
  unique (stream_id, event_id)
);
create index if not exists events_log_order on events (transaction_id, global_position);
-- A 1000-point batch is a ~70 KB event: Postgres's default compression (pglz) took about a
-- millisecond of each such append, lz4 a fraction of it. Only where the server has lz4 (not
-- PGlite); checked first, because the ALTER locks the table.
do $$ begin
  if not exists (select 1 from pg_attribute where attrelid = 'events'::regclass and attname = 'data' and attcompression = 'l') then
    alter table events alter column data set compression lz4;
  end if;
exception when feature_not_supported then null;
end $$;

create table if not exists streams (
  stream_id text primary key,
  revision bigint not null
);

-- The log is append-only: nothing is updated or deleted in place.
create or replace function mlledger_reject_event_change() returns trigger language plpgsql as $$
begin
  raise exception 'events are immutable (% refused)', tg_op using errcode = 'P0002';
end $$;
drop trigger if exists events_immutable on events;
create trigger events_immutable before update or delete on events
  for each row execute function mlledger_reject_event_change();

-- One round trip per append: optimistic check, idempotency by event id, insert, wake-up hint.
-- Events travel and are kept as json, not jsonb: the store never looks inside data, and
-- json is stored as written after a light check, where jsonb would be parsed and rebuilt
-- (several times the cost on a 1000-point batch). Tables made before keep jsonb columns,
-- which accept json by assignment. Each field arrives in an array of its own: taking them
-- out of one json document re-parsed a 1000-point event's whole text once per field
-- (about half of a large append's time).
create or replace function mlledger_append_events(p_stream text, p_expected text, p_event_ids uuid[], p_types text[],
                                                  p_versions int[], p_data json[], p_metadata json[], p_channel text)
returns table (next_revision bigint, tx text, gpos bigint) language plpgsql as $$
declare
  v_current bigint;
  v_count int := cardinality(p_event_ids);
  v_found int;
begin
  -- Serialise appends to one stream BEFORE this transaction writes anything: the
  -- transaction id (our global order) is assigned at the first write, so a writer
  -- that queued behind another always gets the later id, matching stream order.
  perform pg_advisory_xact_lock(hashtextextended(p_stream, 0));
  insert into streams (stream_id, revision) values (p_stream, -1) on conflict do nothing;
  select s.revision into v_current from streams s where s.stream_id = p_stream;

  -- One index probe per new event id. Written as \`event_id = any(p_event_ids)\`, the cached generic plan
  -- filtered every event of the stream instead (5 ms per append once a run held 8,000 events).
  select count(*) into v_found
    from unnest(p_event_ids) as x(event_id)
    cross join lateral (select 1 from events e where e.stream_id = p_stream and e.event_id = x.event_id limit 1) as seen;
  if v_found = v_count then
    return query
      select e.stream_revision, e.transaction_id::text, e.global_position
        from unnest(p_event_ids) as x(event_id)
        join lateral (select * from events e where e.stream_id = p_stream and e.event_id = x.event_id limit 1) as e on true
       order by e.stream_revision desc limit 1;
    return;
  elsif v_found > 0 then
    raise exception 'wrong_expected_version' using errcode = 'P0001', detail = v_current::text,
      hint = 'some of the events were appended before and others were not';
  end if;

  if (p_expected = 'no_stream' and v_current <> -1)
     or (p_expected = 'stream_exists' and v_current = -1)
     or (p_expected ~ '^[0-9]+$' and v_current <> p_expected::bigint) then
    raise exception 'wrong_expected_version' using errcode = 'P0001', detail = v_current::text;
  end if;

  update streams set revision = v_current + v_count where stream_id = p_stream;
  if p_channel is not null then
    perform pg_notify(p_channel, '');
  end if;
  -- The position comes back from the insert itself: looked up afterwards by (stream, revision),
  -- a cached plan could walk the stream through the other index.
  return query
    with inserted as (
      insert into events (stream_id, stream_revision, event_id, type, version, data, metadata)
      select p_stream, v_current + x.ord, x.event_id, x.type, x.version, x.data, x.metadata
        from unnest(p_event_ids, p_types, p_versions, p_data, p_metadata) with ordinality as x(event_id, type, version, data, metadata, ord)
       order by x.ord
      returning events.stream_revision, events.transaction_id, events.global_position
    )
    select i.stream_revision, i.transaction_id::text, i.global_position from inserted i
     order by i.stream_revision desc limit 1;
end $$;

-- The same append with the events in one json array of {event_id, type, version, data, metadata}
-- (the form before mlledger_append_events; kept for callers written against it).
drop function if exists mlledger_append(text, text, jsonb, text);
create or replace function mlledger_append(p_stream text, p_expected text, p_events json, p_channel text)
returns table (next_revision bigint, tx text, gpos bigint) language sql as $$
  select * from mlledger_append_events(p_stream, p_expected,
    array(select (x.value->>'event_id')::uuid from json_array_elements(p_events) with ordinality x order by x.ordinality),
    array(select x.value->>'type' from json_array_elements(p_events) with ordinality x order by x.ordinality),
    array(select (x.value->>'version')::int from json_array_elements(p_events) with ordinality x order by x.ordinality),
    array(select x.value->'data' from json_array_elements(p_events) with ordinality x order by x.ordinality),
    array(select x.value->'metadata' from json_array_elements(p_events) with ordinality x order by x.ordinality),
    p_channel)
$$;
`;
