#include "power.hpp"

namespace aio::power {

const std::vector<Kernel>& kernels() {
    static const std::vector<Kernel> all = {
        {"sct_account_bad", "SCTBench CS", true, "assertion"},
        {"sct_arithmetic_prog_bad", "SCTBench CS", true, "assertion"},
        {"sct_bluetooth_driver_bad", "SCTBench CS", true, "assertion"},
        {"sct_carter01_bad", "SCTBench CS", true, "deadlock"},
        {"sct_circular_buffer_bad", "SCTBench CS", true, "assertion"},
        {"sct_deadlock01_bad", "SCTBench CS", true, "deadlock"},
        {"sct_din_phil2_sat", "SCTBench CS", true, "assertion"},
        {"sct_din_phil3_sat", "SCTBench CS", true, "assertion"},
        {"sct_din_phil4_sat", "SCTBench CS", true, "assertion"},
        {"sct_din_phil5_sat", "SCTBench CS", true, "assertion"},
        {"sct_din_phil6_sat", "SCTBench CS", true, "assertion"},
        {"sct_din_phil7_sat", "SCTBench CS", true, "assertion"},
        {"sct_lazy01_bad", "SCTBench CS", true, "assertion"},
        {"sct_phase01_bad", "SCTBench CS", true, "deadlock"},
        {"sct_queue_bad", "SCTBench CS", true, "assertion"},
        {"sct_reorder_3_bad", "SCTBench CS", true, "assertion"},
        {"sct_reorder_4_bad", "SCTBench CS", true, "assertion"},
        {"sct_reorder_5_bad", "SCTBench CS", true, "assertion"},
        {"sct_reorder_10_bad", "SCTBench CS", true, "assertion"},
        {"sct_reorder_20_bad", "SCTBench CS", true, "assertion"},
        {"sct_stack_bad", "SCTBench CS", true, "assertion"},
        {"sct_sync01_bad", "SCTBench CS", true, "deadlock"},
        {"sct_sync02_bad", "SCTBench CS", true, "deadlock"},
        {"sct_token_ring_bad", "SCTBench CS", true, "assertion"},
        {"sct_twostage_bad", "SCTBench CS", true, "assertion"},
        {"sct_twostage_100_bad", "SCTBench CS", true, "assertion"},
        {"sct_wronglock_3_bad", "SCTBench CS", true, "assertion"},
        {"sct_wronglock_bad", "SCTBench CS", true, "assertion"},
        {"sct_stringbuffer_jdk14", "SCTBench CB", true, "assertion"},
        {"convul_cve_2009_3547", "ConVul", true, "use after free"},
        {"convul_cve_2013_1792", "ConVul", true, "NULL dereference"},
        {"convul_cve_2015_7550", "ConVul", true, "NULL dereference"},
        {"convul_cve_2016_7911", "ConVul", true, "use after free"},
        {"convul_cve_2016_9806", "ConVul", true, "double free"},
        {"convul_cve_2017_15265", "ConVul", true, "use after free"},
        {"apat_condition_lost_wakeup", "asyncio", false, "deadlock"},
        {"apat_lock_handoff", "asyncio", false, "assertion"},
        {"apat_queue_get_cancel", "asyncio", false, "lost item"},
        {"apat_semaphore_over_release", "asyncio", false, "assertion"},
        {"apat_timer_overtake", "asyncio", false, "timeout"},
        {"apat_wait_for_cancel", "asyncio", false, "double commit"},
    };
    return all;
}

}  // namespace aio::power
