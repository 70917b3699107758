-- uuidv7(): time-ordered UUIDs (RFC 9562) for every primary key.
-- PostgreSQL 18 has it built in; on 15-17 this defines an equivalent, so the
-- same `DEFAULT uuidv7()` works on every supported server.
DO $migration$
BEGIN
  IF to_regprocedure('uuidv7()') IS NULL THEN
    EXECUTE $create$
      CREATE FUNCTION uuidv7() RETURNS uuid
      LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $body$
      DECLARE
        -- Milliseconds since the Unix epoch fill the first 48 bits, so ids sort by creation.
        unix_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
        -- A version 4 UUID supplies the random bits and already has the RFC variant bits.
        bytes bytea := uuid_send(gen_random_uuid());
      BEGIN
        FOR i IN 0..5 LOOP
          bytes := set_byte(bytes, i, ((unix_ms >> ((5 - i) * 8)) & 255)::int);
        END LOOP;
        -- The high nibble of byte 6 is the version: 7.
        bytes := set_byte(bytes, 6, (get_byte(bytes, 6) & 15) | 112);
        RETURN encode(bytes, 'hex')::uuid;
      END
      $body$
    $create$;
  END IF;
END
$migration$;
