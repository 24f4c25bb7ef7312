-- Every schedule with its latest ticks, for GET /v1/schedules.
SELECT coalesce(jsonb_agg(jsonb_build_object(
         'name', s.name, 'cron', s.cron, 'source', s.source,
         'window_days', s.window_days, 'enabled', s.enabled,
         'after', coalesce((SELECT jsonb_agg(a.after_name
                                             ORDER BY a.after_name)
                              FROM signalroom.schedule_after a
                             WHERE a.schedule_name = s.name), '[]'::jsonb),
         'wait_minutes', s.wait_minutes,
         'catch_up_minutes', s.catch_up_minutes,
         'description', s.description, 'last_tick_at', s.last_tick_at,
         'recent_ticks', coalesce((
           SELECT jsonb_agg(jsonb_build_object(
                    'tick_at', t.tick_at, 'outcome', t.outcome,
                    'run_id', t.run_id, 'note', t.note)
                    ORDER BY t.tick_at DESC)
             FROM (SELECT * FROM signalroom.schedule_ticks t
                    WHERE t.schedule_name = s.name
                    ORDER BY t.tick_at DESC LIMIT 5) t), '[]'::jsonb))
         ORDER BY s.name), '[]'::jsonb)::text
  FROM signalroom.schedules s
