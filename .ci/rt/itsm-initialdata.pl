# Seed for Smena's Request Tracker 5 test server (.ci/rt/start): a small copy of the service
# desk of DOMAIN.md that the sync connector can talk to.
#
# Read twice:
#  - by RT's config (RT_SiteConfig.pm written by start), with SMENA_RT_LIFECYCLE_ONLY=1: it
#    returns { smena => lifecycle } for %Lifecycles and stops there. RT 5.0 keeps lifecycles
#    in its config, not in its DB, so this file is the one place that defines them.
#  - once, by `rt-setup-database-5 --action insert --datafile`, as RT initialdata: the
#    @Queues, @CustomFields, @Groups, @Users and @ACL below go into the fresh DB, and @Final
#    turns off one stock scrip.
# The auth token of smena-sync is not made here but by start (once, into the data dir).
use strict;
use warnings;

# ---- The ticket lifecycle: the eight statuses of DOMAIN.md with exactly the moves of
# Smena's own state machine (src-tauri/core/src/domain/lifecycle.rs, Status::next). RT status
# names are lowercase words; Smena's are the same with '-' for ' ' ("in progress" = in-progress).
# RT refuses any other move (REST2 answers 200 with "You can't change status from ... to ...").
my %lifecycle = (
    type     => 'ticket',
    initial  => ['registered'],
    active   => ['assigned', 'in progress', 'information needed', 'external processing',
                 'rejected by user'],
    inactive => ['completed', 'closed'],    # Smena's "not open": no work left on them
    defaults => {
        on_create           => 'registered',
        approved            => 'in progress',
        denied              => 'completed',
        reminder_on_open    => 'in progress',
        reminder_on_resolve => 'completed',
    },
    transitions => {
        ''                    => ['registered'],
        'registered'          => ['assigned', 'in progress', 'information needed', 'completed'],
        'assigned'            => ['in progress', 'information needed', 'external processing',
                                  'completed', 'registered'],
        'in progress'         => ['assigned', 'information needed', 'external processing',
                                  'completed'],
        'information needed'  => ['in progress', 'assigned', 'completed'],
        'external processing' => ['in progress', 'assigned', 'completed'],
        'completed'           => ['closed', 'rejected by user'],  # confirmed (or 3 days) / rejected
        'rejected by user'    => ['in progress', 'assigned'],
        'closed'              => [],                              # final: a new ticket instead
    },
    rights => { '* -> *' => 'ModifyTicket' },
);
return { smena => \%lifecycle } if $ENV{SMENA_RT_LIFECYCLE_ONLY};

our (@Queues, @CustomFields, @Groups, @Users, @ACL, @Final);
my @lines = ('Line 1', 'Line 2', 'Line 3');

# ---- One queue per support line; a ticket is escalated by moving it to the next queue.
@Queues = map { {
    Name              => $_,
    Description       => "Support, $_",
    Lifecycle         => 'smena',
    CorrespondAddress => '',
    CommentAddress    => '',
} } @lines;

# ---- Select custom fields on the tickets of the three queues. Values are listed in Smena's
# order (very high first); the sort order is the scale's index (Level::index() + 1).
my $select_field = sub {
    my ($name, $description, @values) = @_;
    my $order = 0;
    return {
        Name        => $name,
        Type        => 'SelectSingle',
        LookupType  => 'RT::Queue-RT::Ticket',
        Description => $description,
        ApplyTo     => [@lines],
        Values      => [ map { { Name => $_->[0], Description => $_->[1], SortOrder => ++$order } } @values ],
    };
};
my $free_field = sub {
    my ($name, $description) = @_;
    return { Name => $name, Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket',
             Description => $description, ApplyTo => [@lines] };
};
@CustomFields = (
    # Set by the client when filing; the client may later ask to raise it.
    $select_field->('Urgency', 'How urgent the client says it is',
        ['Very high', 'business impact substantial'],
        ['High',      'service quality strongly reduced, high risk of substantial impact'],
        ['Medium',    'slight degradation, some risk'],
        ['Low',       'an inconvenience, low risk'],
        ['None',      'a wish']),
    # Set by support from the number of users or systems affected.
    $select_field->('Impact', 'How many users or systems are affected',
        ['Major incident', 'all users or systems'],
        ['High',           'a large group'],
        ['Medium',         'a small group'],
        ['Low',            'one user or system'],
        ['None',           'nobody affected']),
    # Incident or service request (Smena's ticket kind).
    $select_field->('Kind', 'Incident or service request',
        ['Incident',        'degradation or possible degradation of a service'],
        ['Service request', 'a typical request to change SLA or functionality']),
    # Why a ticket was completed (Smena's ClosureCode; the last three: completed without work).
    $select_field->('Closure code', 'Why the ticket was completed',
        ['resolved',         'solved'],
        ['workaround',       'solved by a workaround; the cause remains'],
        ['duplicate',        'without work: the same request exists in another ticket'],
        ['incorrect-ticket', 'without work: not a support matter, wrong client, spam'],
        ['withdrawn',        'without work: the client withdrew it']),
    # Where the ticket came from, the service it concerns and a request's type: the fields
    # Smena reads through its field mapping (smena fields).
    $select_field->('Channel', 'How the client reached the desk',
        ['E-mail',     'a message to the support address'],
        ['Phone',      'a call'],
        ['Portal',     'the self-service portal'],
        ['Monitoring', 'an alert of a monitoring system'],
        ['Telegram',   'a message to the support bot']),
    $free_field->('Service', 'The service or category the ticket concerns'),
    $free_field->('Request type', 'A service request\'s type (a code or name of the request model)'),
    # The client a ticket is for, where its requester alone does not say (one address that
    # writes for several clients): the field mapping may read the client from here.
    $free_field->('Client', 'The client the ticket is for'),
);

# ---- People: the lead and deputy (5/2), engineers of each line, and the sync's own user.
# Passwords exist only so a person can look at the web UI (http://127.0.0.1:PORT) by hand.
@Groups = (
    { Name => 'Engineers', Description => 'Everyone who works tickets (all lines, lead, deputy)' },
    map { { Name => "L$_", Description => "Line $_ engineers" } } 1 .. 3,
);
my $person = sub {
    my ($name, $real_name, @groups) = @_;
    return { Name => $name, RealName => $real_name, EmailAddress => "$name\@smena.test",
             Password => "$name-pass", Privileged => 1, MemberOf => ['Engineers', @groups] };
};
@Users = (
    $person->('lead',      'Support Lead'),
    $person->('deputy',    'Deputy Lead'),
    $person->('l1-anna',   'Anna (line 1)',   'L1'),
    $person->('l1-boris',  'Boris (line 1)',  'L1'),
    $person->('l2-viktor', 'Viktor (line 2)', 'L2'),
    $person->('l3-galina', 'Galina (line 3, networks)', 'L3'),
    # The connector authenticates as this user with an auth token ("Authorization: token T").
    { Name => 'smena-sync', RealName => 'Smena sync', EmailAddress => 'smena-sync@smena.test',
      Privileged => 1 },
);

@ACL = (
    { UserId => 'smena-sync', Right => 'SuperUser' },
    { GroupDomain => 'UserDefined', GroupId => 'Engineers',
      Right => [qw(SeeQueue ShowTicket CreateTicket ModifyTicket OwnTicket TakeTicket StealTicket
                   CommentOnTicket ReplyToTicket ShowTicketComments SeeCustomField
                   ModifyCustomField ManageAuthTokens)] },
);

# ---- Statuses change only when someone sets them. RT's stock scrip "On Correspond Open
# Inactive Tickets" would move a ticket on every reply to its first allowed active status:
# registered -> assigned (with Owner still Nobody), completed -> rejected by user.
@Final = (
    sub {
        my $scrip = RT::Scrip->new(RT->SystemUser);
        $scrip->LoadByCols(Description => 'On Correspond Open Inactive Tickets');
        die "scrip 'On Correspond Open Inactive Tickets' not found\n" unless $scrip->id;
        my ($ok, $msg) = $scrip->SetDisabled(1);
        die "disabling the auto-open scrip: $msg\n" unless $ok;
    },
);

1;
