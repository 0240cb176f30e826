"""The dispatcher's decisions, without the CPU."""

import pytest

from vm370.cp.dispatch import Dispatcher, Queue, slice_timer_units
from vm370.cp.vmblock import RunState, VirtualMachine


def machine(name):
    vm = VirtualMachine(name, 64 * 1024)
    vm.start()
    return vm


def run_rounds(dispatcher, rounds, behaviour):
    """Dispatch ``rounds`` times; behaviour(vm, slice) -> instructions used. Return the order."""
    order = []
    for _ in range(rounds):
        chosen = dispatcher.select()
        if chosen is None:
            order.append(None)
            continue
        vm, slice_left = chosen
        order.append(vm.name)
        dispatcher.slice_ended(vm, behaviour(vm, slice_left))
    return order


def test_round_robin_in_the_interactive_queue():
    dispatcher = Dispatcher(interactive_slice=100, non_interactive_slice=800)
    a, b, c = machine("A"), machine("B"), machine("C")
    for vm in (a, b, c):
        dispatcher.ready(vm)
    chosen, slice_left = dispatcher.select()
    assert chosen is a and slice_left == 100
    assert dispatcher.queue_of(a) is None
    dispatcher.slice_ended(a, 100)  # used the whole slice: non-interactive now
    assert dispatcher.queue_of(a) is Queue.NON_INTERACTIVE
    assert [dispatcher.select()[0].name for _ in range(2)] == ["B", "C"]


def test_a_trap_keeps_the_rest_of_the_slice_and_the_place():
    dispatcher = Dispatcher(interactive_slice=100)
    a, b = machine("A"), machine("B")
    dispatcher.ready(a)
    dispatcher.ready(b)
    vm, left = dispatcher.select()
    dispatcher.slice_ended(vm, 30)
    vm, left = dispatcher.select()
    assert vm is a and left == 70


def test_a_waiting_machine_leaves_the_queues_and_costs_nothing():
    dispatcher = Dispatcher()
    a, b = machine("A"), machine("B")
    dispatcher.ready(a)
    dispatcher.ready(b)
    vm, _ = dispatcher.select()
    vm.state = RunState.ENABLED_WAIT
    dispatcher.slice_ended(vm, 10)
    assert dispatcher.queue_of(a) is None and dispatcher.runnable == 1
    assert run_rounds(dispatcher, 3, lambda vm, left: left) == ["B", "B", "B"]


def test_a_looping_machine_does_not_starve_the_others():
    dispatcher = Dispatcher(interactive_slice=10, non_interactive_slice=80)
    loop, other = machine("LOOP"), machine("OTHER")
    dispatcher.ready(loop)
    dispatcher.ready(other, interactive=False)
    order = run_rounds(dispatcher, 20, lambda vm, left: left)  # both always use it all
    assert order.count("OTHER") >= 9 and order.count("LOOP") >= 9


def test_interactive_machines_go_first_but_not_forever():
    dispatcher = Dispatcher(interactive_slice=10, non_interactive_slice=80, interactive_burst=3)
    batch = machine("BATCH")
    dispatcher.ready(batch, interactive=False)
    users = [machine(f"USER{n}") for n in range(3)]
    for vm in users:
        dispatcher.ready(vm)

    def behaviour(vm, left):
        if vm.name.startswith("USER"):  # a short burst, then straight back (a new line typed)
            vm.state = RunState.ENABLED_WAIT
            dispatcher.slice_ended(vm, 1)
            vm.state = RunState.RUNNING
            dispatcher.ready(vm)
            return 0
        return left

    order = []
    for _ in range(8):
        vm, left = dispatcher.select()
        order.append(vm.name)
        used = behaviour(vm, left)
        if vm.name == "BATCH":
            dispatcher.slice_ended(vm, used)
    assert order[:3] == ["USER0", "USER1", "USER2"]
    assert order[3] == "BATCH"
    assert order.count("BATCH") == 2


def test_nothing_to_run():
    dispatcher = Dispatcher()
    assert dispatcher.select() is None
    vm = machine("A")
    dispatcher.ready(vm)
    dispatcher.remove(vm)
    assert dispatcher.select() is None


def test_slice_in_timer_units():
    assert slice_timer_units(1_000_000) == 76_800
    assert slice_timer_units(20_000) == 1536
    assert slice_timer_units(1) == 1


def test_slices_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        Dispatcher(interactive_slice=0)


def test_a_machine_back_from_a_trap_finishes_its_slice_before_the_burst_rule():
    dispatcher = Dispatcher(interactive_slice=100, non_interactive_slice=800, interactive_burst=1)
    batch, user = machine("BATCH"), machine("USER")
    dispatcher.ready(batch, interactive=False)
    dispatcher.ready(user)
    vm, left = dispatcher.select()
    assert vm is user and left == 100
    for used in (10, 10, 10):  # page faults: CP takes it off and puts it back
        dispatcher.slice_ended(vm, used)
        vm, left = dispatcher.select()
        assert vm is user
    assert left == 70
    dispatcher.slice_ended(vm, 70)  # the slice is used up: now the batch machine
    assert dispatcher.select()[0] is batch


def twin_dispatchers():
    """Two dispatchers in the same state: A chosen from Q1 with 100 instructions, B waiting."""
    pair = []
    for _ in range(2):
        dispatcher = Dispatcher(interactive_slice=100, non_interactive_slice=800)
        a, b = machine("A"), machine("B")
        dispatcher.ready(a)
        dispatcher.ready(b)
        assert dispatcher.select()[0] is a
        pair.append((dispatcher, a, b))
    return pair


def test_resuming_after_a_trap_decides_as_slice_ended_then_select():
    (fast, a1, _), (full, a2, _) = twin_dispatchers()
    assert fast.resume_after_trap(a1, 30) == 70
    full.slice_ended(a2, 30)
    chosen, left = full.select()
    assert chosen is a2 and left == 70
    assert fast.resumed and full.resumed
    assert a1.counters.dispatches == a2.counters.dispatches == 2
    # Both go on alike: A uses up the rest and goes to Q2; B runs next.
    for dispatcher, vm in ((fast, a1), (full, a2)):
        dispatcher.slice_ended(vm, 70)
        assert dispatcher.queue_of(vm) is Queue.NON_INTERACTIVE
        assert dispatcher.select()[0].name == "B"


def test_resuming_after_a_trap_leaves_the_full_rule_what_it_cannot_decide():
    (dispatcher, a, _), _ = twin_dispatchers()
    assert dispatcher.resume_after_trap(a, 100) is None  # the slice is used up
    a.state = RunState.ENABLED_WAIT
    assert dispatcher.resume_after_trap(a, 10) is None  # it waits
    a.state = RunState.RUNNING
    assert a.counters.dispatches == 1
    # Nothing was changed: the full rule still finds A's slice under way.
    dispatcher.slice_ended(a, 10)
    assert dispatcher.select() == (a, 90)
