// SCTBench's CB stringbuffer kernel and ConVul-style CVE kernels, as aiosim programs
// (power.hpp). The ConVul kernels are written from each CVE's published description of the
// race (ConVul's own kernel sources were not in the material searched): a "free" marks the
// object dead and a use asserts it is alive, so a use after free, a double free or a NULL
// dereference is a kernel assertion.
#include <chrono>
#include <string>
#include <vector>

#include <aio/aio.hpp>
#include <aio/scenario.hpp>

#include "power.hpp"

using aio::power::join_all;
using aio::power::kernel_assert;

namespace convul_cb {

using Tasks = std::vector<aio::Task<void>>;

/// A heap object that can be freed: a use or a second free after the first is the bug.
struct Object {
    bool allocated = true;
    void use(const char* what) const { kernel_assert(allocated, what); }
    void release(const char* what) {
        kernel_assert(allocated, what);
        allocated = false;
    }
};

// stringbuffer-jdk1.4 (SCTBench CB, Flanagan and Qadeer 2003): append(other) reads other's
// length, then copies that many characters; in between, another task erases other's content
// (and appends it again), so the copy reads past other's end.
struct StringBuffer {
    std::string shared = "abc";
    aio::Coro<void> eraser() {
        AIO_POWER_SHARED(&shared);
        shared.erase(0, 3);
        AIO_POWER_SHARED(&shared);
        shared.append("abc");
    }
    aio::Coro<void> main() {
        auto other = aio::create_task(eraser(), "thread_main");
        std::string mine;
        AIO_POWER_SHARED(&shared);
        const std::size_t len = shared.size();  // synchronized length()
        AIO_POWER_SHARED(&shared);
        kernel_assert(len <= shared.size(), "stringbuffer: getChars(0, len) within the source's count");
        mine.append(shared, 0, len);  // synchronized getChars()
        co_await other;
    }
};

// CVE-2009-3547 (pipe_read_open/pipe_write_open against pipe release): the open path checks
// inode->i_pipe, then takes a reference; the last release frees the pipe and clears i_pipe in
// between: a NULL/freed dereference.
struct Cve2009_3547 {
    Object pipe;
    bool i_pipe_set = true;
    aio::Coro<void> open() {
        AIO_POWER_SHARED(&i_pipe_set);
        if (!i_pipe_set) co_return;  // -ENOENT
        AIO_POWER_SHARED(&pipe);
        pipe.use("CVE-2009-3547: pipe->readers++ on a freed pipe");
    }
    aio::Coro<void> release() {
        AIO_POWER_SHARED(&pipe);
        pipe.release("CVE-2009-3547: free_pipe_info twice");
        AIO_POWER_SHARED(&i_pipe_set);
        i_pipe_set = false;
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(open(), "pipe_rdwr_open"));
        ts.push_back(aio::create_task(release(), "pipe_release"));
        co_await join_all(ts);
    }
};

// CVE-2013-1792 (install_user_keyrings): two tasks initialise the user's keyrings; the first
// publishes the user's keyring pointer before the session keyring is set up, the second sees
// the keyring "installed" and dereferences the session keyring, still NULL.
struct Cve2013_1792 {
    bool uid_keyring = false, session_keyring = false;
    aio::Coro<void> install() {
        AIO_POWER_SHARED(&uid_keyring);
        if (uid_keyring) {
            AIO_POWER_SHARED(&session_keyring);
            kernel_assert(session_keyring, "CVE-2013-1792: session keyring dereferenced while NULL");
            co_return;
        }
        AIO_POWER_SHARED(&uid_keyring);
        uid_keyring = true;
        AIO_POWER_SHARED(&session_keyring);
        session_keyring = true;
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(install(), "keyctl-1"));
        ts.push_back(aio::create_task(install(), "keyctl-2"));
        co_await join_all(ts);
    }
};

// CVE-2015-7550 (keyctl_read_key against keyctl_revoke): the reader checks the key is not
// revoked, then calls the type's read; the revoker clears the payload in between: a NULL
// payload dereference.
struct Cve2015_7550 {
    bool revoked = false;
    Object payload;
    aio::Coro<void> reader() {
        AIO_POWER_SHARED(&revoked);
        if (revoked) co_return;
        AIO_POWER_SHARED(&payload);
        payload.use("CVE-2015-7550: key payload read after revoke");
    }
    aio::Coro<void> revoker() {
        AIO_POWER_SHARED(&revoked);
        revoked = true;
        AIO_POWER_SHARED(&payload);
        payload.release("CVE-2015-7550: payload freed twice");
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(reader(), "keyctl_read"));
        ts.push_back(aio::create_task(revoker(), "keyctl_revoke"));
        co_await join_all(ts);
    }
};

// CVE-2016-7911 (get_task_ioprio against exit_io_context): ioprio_get reads the task's
// io_context pointer and then its fields; the exiting task clears the pointer and frees the
// context in between: a use after free.
struct Cve2016_7911 {
    Object io_context;
    bool pointer_set = true;
    aio::Coro<void> ioprio_get() {
        AIO_POWER_SHARED(&pointer_set);
        if (!pointer_set) co_return;
        AIO_POWER_SHARED(&io_context);
        io_context.use("CVE-2016-7911: ioc->ioprio read after exit_io_context freed it");
    }
    aio::Coro<void> do_exit() {
        AIO_POWER_SHARED(&pointer_set);
        pointer_set = false;
        AIO_POWER_SHARED(&io_context);
        io_context.release("CVE-2016-7911: io_context freed twice");
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(ioprio_get(), "ioprio_get"));
        ts.push_back(aio::create_task(do_exit(), "do_exit"));
        co_await join_all(ts);
    }
};

// CVE-2016-9806 (netlink_dump): two dumps of one socket each see the callback's skb set, and
// each frees it: a double free.
struct Cve2016_9806 {
    Object skb;
    bool skb_set = true;
    aio::Coro<void> dump() {
        AIO_POWER_SHARED(&skb_set);
        if (!skb_set) co_return;
        AIO_POWER_SHARED(&skb);
        skb.release("CVE-2016-9806: cb->skb freed twice");
        AIO_POWER_SHARED(&skb_set);
        skb_set = false;
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(dump(), "netlink_dump-1"));
        ts.push_back(aio::create_task(dump(), "netlink_dump-2"));
        co_await join_all(ts);
    }
};

// CVE-2017-15265 (snd_seq_create_port against snd_seq_delete_port): the creator unlocks the
// client's port list and then fills in the new port; a delete that found the port in the list
// frees it in between: a use after free.
struct Cve2017_15265 {
    aio::Lock ports_lock;
    bool listed = false;
    Object port;
    aio::Coro<void> create() {
        AIO_POWER_LOCK(ports_lock);
        AIO_POWER_SHARED(&listed);
        listed = true;
        ports_lock.release();
        AIO_POWER_SHARED(&port);
        port.use("CVE-2017-15265: new port's info written after delete freed it");
    }
    aio::Coro<void> remove() {
        AIO_POWER_LOCK(ports_lock);
        AIO_POWER_SHARED(&listed);
        const bool found = listed;
        listed = false;
        ports_lock.release();
        if (!found) co_return;
        AIO_POWER_SHARED(&port);
        port.release("CVE-2017-15265: port freed twice");
    }
    aio::Coro<void> main() {
        Tasks ts;
        ts.push_back(aio::create_task(create(), "snd_seq_create_port"));
        ts.push_back(aio::create_task(remove(), "snd_seq_delete_port"));
        co_await join_all(ts);
    }
};

}  // namespace convul_cb

#define AIO_POWER_KERNEL(name, description, ...)    \
    AIOSIM_SCENARIO(name, description) {            \
        auto kernel = convul_cb::__VA_ARGS__;       \
        aio::run(kernel.main(), ctx.run_options()); \
        return 0;                                   \
    }

AIO_POWER_KERNEL(sct_stringbuffer_jdk14, "SCTBench CB stringbuffer-jdk1.4: append() copies a stale length",
                 StringBuffer{})
AIO_POWER_KERNEL(convul_cve_2009_3547, "ConVul CVE-2009-3547: pipe open against release, freed pipe used",
                 Cve2009_3547{})
AIO_POWER_KERNEL(convul_cve_2013_1792, "ConVul CVE-2013-1792: keyrings installed twice, NULL session keyring",
                 Cve2013_1792{})
AIO_POWER_KERNEL(convul_cve_2015_7550, "ConVul CVE-2015-7550: key read against revoke, NULL payload", Cve2015_7550{})
AIO_POWER_KERNEL(convul_cve_2016_7911, "ConVul CVE-2016-7911: ioprio_get against exit, io_context used after free",
                 Cve2016_7911{})
AIO_POWER_KERNEL(convul_cve_2016_9806, "ConVul CVE-2016-9806: two netlink dumps free one skb", Cve2016_9806{})
AIO_POWER_KERNEL(convul_cve_2017_15265, "ConVul CVE-2017-15265: sequencer port used after delete freed it",
                 Cve2017_15265{})
