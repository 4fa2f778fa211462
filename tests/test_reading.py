"""coach.reading: the same message read against different last questions (plain Python, no model)."""
import pytest

from coach import reading, reply_cues
from coach.reading import Context, Parse, read

NO_TIME, PRIVACY, STAFF = "excuse_no_time", "excuse_data_privacy", "excuse_employees_unwilling"


def parse(text, intent, ranking=None, **extra):
    ranking = ranking or [(intent, 0.9)]
    return Parse(text=text, intent=intent, ranking=ranking, **extra)


@pytest.mark.parametrize("asked, expected", [
    (reading.ASKED_ANYTHING_ELSE, "action_summarize"),
    (reading.ASKED_ARGUMENT, "action_next_argument"),
    (reading.ASKED_STEP, "action_skip_steps"),
    (reading.ASKED_RATING, "action_close_without_rating"),
    (reading.ASKED_PRACTICE_AGAIN, "action_end_practice"),
    (reading.ASKED_COMMITMENT, "action_commitment_report"),
])
def test_no_thanks_means_what_the_last_question_makes_it(asked, expected):
    move = read(Context(asked=asked, current_excuse=NO_TIME), parse("Nein danke", "deny"))
    assert move.action == expected and move.reply == reading.NO


@pytest.mark.parametrize("asked, expected", [
    (reading.ASKED_ARGUMENT, "action_affirm"),
    (reading.ASKED_STEP, "action_commit_step"),
    (reading.ASKED_ANYTHING_ELSE, "action_affirm"),
    (reading.ASKED_PRACTICE_AGAIN, "action_start_practice"),
])
def test_yes_follows_the_last_question(asked, expected):
    assert read(Context(asked=asked, current_excuse=NO_TIME), parse("passt", "affirm")).action == expected


def test_without_a_question_short_replies_are_left_to_the_rules():
    assert read(Context(), parse("nein", "deny")) is None


@pytest.mark.parametrize("text, number", [("2", 2), ("Nr. 3", 3), ("den zweiten", 2), ("die 1.", 1), ("drei", 3)])
def test_a_bare_number_after_which_step_commits(text, number):
    move = read(Context(asked=reading.ASKED_STEP, current_excuse=NO_TIME), parse(text, "rate"))
    assert (move.action, move.number) == ("action_commit_step", number)


def test_a_number_after_which_excuse_picks_that_button():
    move = read(Context(asked=reading.ASKED_WHICH_EXCUSE, options=(NO_TIME, PRIVACY)), parse("2", "rate"))
    assert move.action == "action_coach_excuse" and move.excuses == [PRIVACY]


def test_unsure_after_which_step_lets_the_coach_choose():
    move = read(Context(asked=reading.ASKED_STEP, current_excuse=NO_TIME), parse("egal", "unsure"))
    assert move.action == "action_commit_step" and move.reply == reading.UNSURE


def test_correction_answers_the_meant_excuse_never_the_one_just_answered():
    clauses = [{"excuse": PRIVACY, "confidence": 0.8, "negated": False},
               {"excuse": NO_TIME, "confidence": 0.7, "negated": True}]
    message = parse("Falsch verstanden, mir geht es um Datenschutz, nicht um Zeit", "excuse_no_time",
                    ranking=[(NO_TIME, 0.6), (PRIVACY, 0.3)], clauses=clauses)
    move = read(Context(asked=reading.ASKED_ARGUMENT, current_excuse=NO_TIME), message)
    assert (move.action, move.kind, move.excuses, move.misread) == ("action_coach_excuse", "correction", [PRIVACY], NO_TIME)


def test_correction_answers_the_clearest_named_excuse_not_the_first_clause():
    clauses = [{"excuse": STAFF, "confidence": 0.42, "negated": False},
               {"excuse": PRIVACY, "confidence": 0.8, "negated": False}]
    message = parse("Das meinte ich nicht, es geht um Datenschutz", "correction",
                    ranking=[("correction", 0.6), (PRIVACY, 0.3)], clauses=clauses)
    move = read(Context(asked=reading.ASKED_ARGUMENT, current_excuse=NO_TIME), message)
    assert move.excuses == [PRIVACY]


def test_correction_without_a_named_excuse_asks_without_the_misread_one():
    message = parse("Das meinte ich nicht", "correction",
                    ranking=[("correction", 0.7), (NO_TIME, 0.1), (PRIVACY, 0.08), (STAFF, 0.05)])
    move = read(Context(asked=reading.ASKED_ARGUMENT, current_excuse=NO_TIME), message)
    assert move.action == "action_clarify_excuse" and NO_TIME not in move.options and move.options


def test_close_excuses_are_asked_about_not_guessed():
    message = parse("das ist bei uns schwierig", NO_TIME, ranking=[(NO_TIME, 0.34), (PRIVACY, 0.3), ("out_of_scope", 0.2)])
    move = read(Context(), message)
    assert move.action == "action_clarify_excuse" and move.options[:2] == [NO_TIME, PRIVACY]


def test_a_second_reading_of_its_own_is_asked_about_even_behind_a_clear_first():
    message = parse("uns fehlen die leute dafür", NO_TIME, ranking=[(NO_TIME, 0.66), (PRIVACY, 0.22), ("out_of_scope", 0.05)])
    assert 0.66 - 0.22 >= reading.CLEAR_MARGIN and 0.22 >= reading.SECOND_READING
    move = read(Context(), message)
    assert move.action == "action_clarify_excuse" and move.options[:2] == [NO_TIME, PRIVACY]


def test_a_clear_excuse_is_answered():
    move = read(Context(), parse("keine zeit", NO_TIME, ranking=[(NO_TIME, 0.9), (PRIVACY, 0.02)]))
    assert move.action == "action_coach_excuse" and move.excuses == [NO_TIME]


def test_a_question_about_the_current_excuse_stays_on_it():
    message = parse("Wie kriege ich die denn ins Boot?", "excuse_no_expertise",
                    ranking=[("excuse_no_expertise", 0.4), (STAFF, 0.2)])
    move = read(Context(asked=reading.ASKED_ARGUMENT, current_excuse=STAFF), message)
    assert move.action == "action_answer_on_current" and move.question


def test_a_clearly_named_new_excuse_leaves_the_current_one():
    message = parse("Und außerdem: Datenschutz!", PRIVACY, ranking=[(PRIVACY, 0.93), (STAFF, 0.04)])
    move = read(Context(asked=reading.ASKED_ARGUMENT, current_excuse=STAFF), message)
    assert move.action == "action_coach_excuse" and move.excuses == [PRIVACY]


def test_yes_but_with_a_detail_stays_on_the_excuse_even_when_read_as_out_of_scope():
    message = parse("Ja, aber unser Betriebsrat hat letztes Jahr alles blockiert", "out_of_scope",
                    ranking=[("out_of_scope", 0.6), (STAFF, 0.01)])
    move = read(Context(asked=reading.ASKED_ARGUMENT, current_excuse=STAFF), message)
    assert move.action == "action_next_argument" and move.kind == "objection"


def test_out_of_scope_without_any_tie_to_the_excuse_is_left_to_the_rules():
    message = parse("Wie wird das Wetter morgen in Hamburg", "out_of_scope", ranking=[("out_of_scope", 0.9)])
    assert read(Context(asked=reading.ASKED_ARGUMENT, current_excuse=STAFF), message) is None


def test_faq_keeps_the_context_and_greeting_of_a_returning_user_welcomes_back():
    assert read(Context(asked=reading.ASKED_ARGUMENT, current_excuse=NO_TIME),
                parse("Wie oft sollte ich posten?", "faq")).action == "action_answer_faq"
    assert read(Context(returning=True), parse("Hallo", "greet")).action == "action_welcome_back"
    assert read(Context(), parse("Hallo", "greet")) is None


def test_a_statement_read_as_faq_near_several_excuses_is_asked_about_a_question_answered():
    ranking = [("faq", 0.55), (NO_TIME, 0.14), (PRIVACY, 0.12), (STAFF, 0.02)]
    move = read(Context(), parse("da seh ich bei uns einfach keinen bedarf", "faq", ranking=ranking))
    assert move.action == "action_clarify_excuse" and move.options == [NO_TIME, PRIVACY]
    asked = read(Context(), parse("wie viel zeit braucht das pro woche?", "faq", ranking=ranking))
    assert asked.action == "action_answer_faq"


def test_the_practice_form_reads_its_own_messages():
    assert read(Context(asked=reading.ASKED_ARGUMENT, in_form=True), parse("nein", "deny")) is None


def test_move_survives_the_slot_round_trip():
    move = reading.Move("action_clarify_excuse", "unsure", options=[NO_TIME, PRIVACY])
    assert reading.Move.from_slot(move.as_slot()) == move
    assert reading.Move.from_slot(None) is None and reading.Move.from_slot({"x": 1}) is None


@pytest.mark.parametrize("text, denied", [
    ("hab ich nicht geschafft", True), ("leider nein", True), ("noch keine Zeit gehabt", True),
    ("ja, erledigt", False), ("hat super geklappt", False)])
def test_denies(text, denied):
    assert reply_cues.denies(text) is denied


@pytest.mark.parametrize("text, intent", [("nö, passt", "affirm"), ("nee danke", "nlu_fallback"),
                                          ("nein, danke schön", "thanks"), ("passt so, danke", "thanks")])
def test_a_no_or_a_thanks_to_anything_else_closes_whatever_the_intent(text, intent):
    move = read(Context(asked=reading.ASKED_ANYTHING_ELSE, current_excuse=NO_TIME), parse(text, intent))
    assert move.action == "action_summarize"


def test_a_correction_cue_counts_even_when_the_nlu_reads_an_objection():
    clauses = [{"excuse": PRIVACY, "confidence": 0.6, "negated": True},
               {"excuse": "excuse_no_resources", "confidence": 0.8, "negated": False}]
    message = parse("das meinte ich nicht. mit datenschutz hat das nix zu tun, wir haben keine leute", "deny",
                    clauses=clauses)
    move = read(Context(asked=reading.ASKED_ARGUMENT, current_excuse=PRIVACY), message)
    assert (move.action, move.excuses, move.misread) == ("action_coach_excuse", ["excuse_no_resources"], PRIVACY)


def test_a_yes_but_leaves_the_current_excuse_only_for_a_very_clear_new_one():
    context = Context(asked=reading.ASKED_ARGUMENT, current_excuse="excuse_just_hype")
    unclear = parse("ja aber das haben sie bei facebook auch gesagt", STAFF, ranking=[(STAFF, 0.8)])
    assert read(context, unclear).action == "action_next_argument"
    clear = parse("ja, aber meine Mitarbeiter wollen da nicht mitmachen", STAFF, ranking=[(STAFF, 0.96)])
    assert read(context, clear).excuses == [STAFF]


def test_how_to_answers_are_for_questions_a_statement_near_an_excuse_is_the_excuse():
    statement = parse("keine zeit für linkedin", "faq", ranking=[("faq", 0.51), (NO_TIME, 0.47)])
    assert read(Context(), statement).excuses == [NO_TIME]
    question = parse("wie viel zeit brauch ich pro woche für linkedin?", "faq", ranking=[("faq", 0.6), (NO_TIME, 0.3)])
    assert read(Context(), question).action == "action_answer_faq"


def test_an_unclear_question_during_an_excuse_is_about_that_excuse():
    message = parse("ab wann sieht man da denn überhaupt was", "nlu_fallback",
                    ranking=[("nlu_fallback", 0.3), ("faq", 0.29), ("excuse_no_expertise", 0.2)])
    move = read(Context(asked=reading.ASKED_ARGUMENT, current_excuse="excuse_no_roi"), message)
    assert move.action == "action_answer_on_current"
