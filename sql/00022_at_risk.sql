-- One definition of "at risk", in the database, for every figure that counts it. The queue
-- counted at-risk cases its own way (set-up test cases included) and the digest another (at
-- risk now or within the next 24 hours, test cases left out): the same desk said "1 at risk"
-- and "13 at risk" at the same moment. Both now ask these two functions.

-- A case's worst running clock at an instant, from the instants stored on the case (the SLA
-- clocks write next_deadline_at and next_at_risk_at, calendar and pauses already applied):
-- 'breached' past the deadline, 'at_risk' past the at-risk instant (a quarter of the target
-- left, at least an hour, at most half), 'ok' before it, 'none' with no clock running.
-- Immutable and a plain expression, so the planner inlines it into each query.
create function case_clock_state(next_deadline_at timestamptz, next_at_risk_at timestamptz, at timestamptz)
  returns text
  language sql immutable parallel safe
  as $$
    select case when next_deadline_at is null then 'none'
                when next_deadline_at <= at then 'breached'
                when next_at_risk_at <= at then 'at_risk'
                else 'ok' end
  $$;

-- Whether a case is open work the figures count: not resolved or closed, and not a set-up test
-- case (mail to the org's +setup- address is nobody's work).
create function case_is_open_work(status text, setup_test boolean)
  returns boolean
  language sql immutable parallel safe
  as $$ select status not in ('resolved', 'closed') and not setup_test $$;
