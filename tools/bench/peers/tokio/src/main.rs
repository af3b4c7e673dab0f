//! The tokio peer of aiosim's workloads (tools/bench/compare.py builds and runs it): the same
//! four programs as tools/bench/programs.hpp and bench.py, on tokio's single-threaded runtime,
//! a fresh runtime per run as aiosim::run and asyncio.run make a fresh loop. W1 and W2 sleep:
//! they run with paused time (tokio::time::pause through start_paused: when nothing is ready
//! the clock jumps to the next timer), as the simulator and bench.py's virtual clock do.
//!
//!     bench_tokio lesson SECONDS      the lesson's gather program, whole runs, for SECONDS of CPU
//!     bench_tokio sleepers N RUNS     N tasks with random sleeps gathered; the first run is cold
//!     bench_tokio ping_pong MESSAGES  two tasks hand a message back and forth through two channels
//!     bench_tokio yields TASKS N      TASKS tasks x N yield_now()
//!
//! Each prints one JSON line. Times are this thread's CPU time (the machine may be shared)
//! and, for W3/W4, wall-clock time too.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn max_rss_mib() -> f64 {
    // SAFETY: an all-zero rusage is valid, and getrusage fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    ru.ru_maxrss as f64 / 1024.0
}

fn runtime(paused: bool) -> Runtime {
    let mut b = Builder::new_current_thread();
    if paused {
        b.enable_time().start_paused(true);
    }
    b.build().expect("runtime")
}

// ---- W1: the lesson's gather example -------------------------------------------------------
// print() goes to a shared vector; an exception is an Err, as a tokio program would write it.
type Lines = Arc<Mutex<Vec<String>>>;

async fn task_func(out: Lines, name: &'static str, duration: u64) -> Result<(), String> {
    out.lock().unwrap().push(format!("Задача {} запущена, будет выполнена за {} секунд.", name, duration));
    tokio::time::sleep(Duration::from_secs(duration)).await;
    out.lock().unwrap().push(format!("Задача {} завершена.", name));
    Ok(())
}

async fn exceptor(out: Lines, name: &'static str, duration: u64) -> Result<(), String> {
    tokio::time::sleep(Duration::from_secs(duration)).await;
    out.lock().unwrap().push(format!("Задача {} вызвала ошибку через {} секунды", name, duration));
    Err("Произошла ошибка в main()".to_string())
}

async fn joined(h: JoinHandle<Result<(), String>>) -> Result<(), String> {
    h.await.map_err(|e| e.to_string())?
}

async fn lesson_main(out: Lines) -> Result<(), String> {
    let t1 = tokio::spawn(task_func(out.clone(), "first", 3));
    let t2 = tokio::spawn(task_func(out.clone(), "second", 1));
    let t3 = tokio::spawn(exceptor(out.clone(), "exсeption", 2));
    // asyncio.gather: the first error is returned at once, the other tasks go on running.
    tokio::try_join!(joined(t1), joined(t2), joined(t3))?;
    Ok(())
}

fn lesson_program(out: &Lines) {
    let rt = runtime(true);
    let r = rt.block_on(lesson_main(out.clone()));
    drop(rt); // the shutdown: the task still sleeping ("first") is dropped
    if let Err(e) = r {
        out.lock().unwrap().push(format!("Было поднято исключение: {}", e));
    }
}

fn lesson(seconds: f64) {
    let out: Lines = Arc::new(Mutex::new(Vec::with_capacity(8)));
    lesson_program(&out);
    {
        let lines = out.lock().unwrap();
        if lines.len() != 5 || lines[4] != "Было поднято исключение: Произошла ошибка в main()" {
            eprintln!("the lesson program printed something unexpected: {:?}", *lines);
            std::process::exit(1);
        }
    }
    let t0 = thread_cpu_seconds();
    let mut runs = 0u64;
    loop {
        for _ in 0..64 {
            out.lock().unwrap().clear();
            lesson_program(&out);
        }
        runs += 64;
        if thread_cpu_seconds() - t0 >= seconds {
            break;
        }
    }
    println!("{{\"runs\": {}, \"cpu_s\": {:.6}}}", runs, thread_cpu_seconds() - t0);
}

// ---- W2: n tasks with random sleeps, gathered ------------------------------------------------
// The simulator's PRNG (sim/include/aio/sim/prng.hpp: xoshiro256** seeded by SplitMix64,
// Lemire's bounded draw), so every peer sleeps exactly the same durations.
struct Prng {
    s: [u64; 4],
}

impl Prng {
    fn new(mut seed: u64) -> Prng {
        let mut s = [0u64; 4];
        for w in s.iter_mut() {
            seed = seed.wrapping_add(0x9E3779B97F4A7C15);
            let mut z = seed;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
            *w = z ^ (z >> 31);
        }
        Prng { s }
    }
    fn next(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }
    fn below(&mut self, n: u64) -> u64 {
        let mut p = (self.next() as u128) * (n as u128);
        if (p as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (p as u64) < threshold {
                p = (self.next() as u128) * (n as u128);
            }
        }
        (p >> 64) as u64
    }
}

async fn sleepers_main(n: usize, seed: u64) {
    let mut prng = Prng::new(seed);
    let mut hs = Vec::with_capacity(n);
    for _ in 0..n {
        let d = Duration::from_micros(prng.below(1_000_000));
        hs.push(tokio::spawn(async move { tokio::time::sleep(d).await }));
    }
    for h in hs {
        h.await.expect("sleeper");
    }
}

fn sleepers(n: usize, runs: usize) {
    let mut times = Vec::with_capacity(runs);
    let mut cold_rss = 0.0;
    for i in 0..runs {
        let t0 = thread_cpu_seconds();
        runtime(true).block_on(sleepers_main(n, 1));
        times.push(thread_cpu_seconds() - t0);
        if i == 0 {
            cold_rss = max_rss_mib();
        }
    }
    // The durations' sum, which compare.py checks against bench.py's copy of the PRNG. Drawn
    // after the timed runs: the first one must be the process's first work.
    let mut prng = Prng::new(1);
    let sleep_us_sum: u64 = (0..n).map(|_| prng.below(1_000_000)).sum();
    let warm: Vec<String> = times[1..].iter().map(|t| format!("{:.6}", t)).collect();
    println!(
        "{{\"cold_cpu_s\": {:.6}, \"warm_cpu_s\": [{}], \"cold_max_rss_MiB\": {:.1}, \"max_rss_MiB\": {:.1}, \"sleep_us_sum\": {}}}",
        times[0],
        warm.join(", "),
        cold_rss,
        max_rss_mib(),
        sleep_us_sum
    );
}

// ---- W3: ping-pong through two channels ----------------------------------------------------
async fn ping_pong_main(messages: usize) {
    let (to_b, mut a) = mpsc::unbounded_channel::<usize>();
    let (to_a, mut b) = mpsc::unbounded_channel::<usize>();
    let rounds = messages / 2;
    let pinger = tokio::spawn(async move {
        for i in 0..rounds {
            to_b.send(i).expect("send");
            b.recv().await.expect("recv");
        }
    });
    let ponger = tokio::spawn(async move {
        for _ in 0..rounds {
            let v = a.recv().await.expect("recv");
            to_a.send(v).expect("send");
        }
    });
    pinger.await.expect("pinger");
    ponger.await.expect("ponger");
}

// ---- W4: tasks x yields ----------------------------------------------------------------------
async fn yields_main(tasks: usize, n: usize) {
    let hs: Vec<_> = (0..tasks)
        .map(|_| {
            tokio::spawn(async move {
                for _ in 0..n {
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for h in hs {
        h.await.expect("yielder");
    }
}

fn timed<F: FnOnce()>(ops: usize, f: F) {
    let (c0, w0) = (thread_cpu_seconds(), Instant::now());
    f();
    let (c, w) = (thread_cpu_seconds() - c0, w0.elapsed().as_secs_f64());
    println!("{{\"ops\": {}, \"cpu_s\": {:.6}, \"wall_s\": {:.6}}}", ops, c, w);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| -> usize { args.get(i).and_then(|s| s.parse().ok()).unwrap_or_else(|| usage()) };
    match args.get(1).map(String::as_str) {
        Some("lesson") => lesson(args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1.0)),
        Some("sleepers") => sleepers(arg(2), arg(3).max(1)),
        Some("ping_pong") => {
            let m = arg(2);
            timed(m, || runtime(false).block_on(ping_pong_main(m)))
        }
        Some("yields") => {
            let (t, n) = (arg(2), arg(3));
            timed(t * n, || runtime(false).block_on(yields_main(t, n)))
        }
        _ => usage(),
    }
}

fn usage() -> ! {
    eprintln!("usage: bench_tokio lesson SECONDS | sleepers N RUNS | ping_pong MESSAGES | yields TASKS N");
    std::process::exit(2)
}
