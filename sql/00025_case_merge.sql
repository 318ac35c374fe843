-- Reserved: filled in by the change that needs it this session.
select 1;
