//! rxing decode of a 1280x720 camera frame holding one EAN-13, with the hints the kiosk's
//! camera uses (configured formats, no try-harder). Budget: keep up with 30 fps on one core,
//! i.e. a median well under 33 ms. `cargo bench --no-default-features --bench decode`

use criterion::{Criterion, criterion_group, criterion_main};
use kiosk::camera::decode::{
    Binarization, Decoder, LOCAL_MEAN_RADIUS, frame_with, half_size, render,
};
use kiosk::config::{Barcode, BarcodeFormat};

fn decode(c: &mut Criterion) {
    let code = render(BarcodeFormat::Ean13, "4012345001013", 380, 180, false).expect("render");
    let frame = frame_with(&code, 1280, 720);
    let mut group = c.benchmark_group("decode 1280x720 EAN-13");
    for (name, formats) in [
        ("kiosk default formats", Barcode::default().formats),
        ("ean13 only", vec![BarcodeFormat::Ean13]),
    ] {
        let decoder = Decoder::for_camera(&formats);
        assert!(
            decoder.luma(frame.as_raw(), 1280, 720).is_ok(),
            "frame decodes"
        );
        group.bench_function(name, |b| {
            b.iter(|| decoder.luma(frame.as_raw(), 1280, 720).expect("decodes"))
        });
    }
    // Closer to a camera: the tag off-centre and smaller, grey on grey, on a lit gradient.
    let small = render(BarcodeFormat::Ean13, "4012345001013", 260, 110, false).expect("render");
    let mut photo =
        image::GrayImage::from_fn(1280, 720, |x, y| image::Luma([(90 + (x + y) / 20) as u8]));
    for (x, y, p) in small.enumerate_pixels() {
        let shade = if p.0[0] < 128 { 55 } else { 185 };
        photo.put_pixel(x + 140, y + 430, image::Luma([shade]));
    }
    let decoder = Decoder::for_camera(&Barcode::default().formats);
    assert!(
        decoder.luma(photo.as_raw(), 1280, 720).is_ok(),
        "photo-like frame decodes"
    );
    group.bench_function("off-centre low-contrast tag, default formats", |b| {
        b.iter(|| decoder.luma(photo.as_raw(), 1280, 720).expect("decodes"))
    });
    let empty = image::GrayImage::from_pixel(1280, 720, image::Luma([128]));
    let decoder = Decoder::for_camera(&Barcode::default().formats);
    group.bench_function("empty frame, default formats", |b| {
        b.iter(|| decoder.luma(empty.as_raw(), 1280, 720).is_err())
    });
    // Each slow pass alone on a frame with nothing to read (the worst case: it runs to the end).
    let slow = Decoder::for_files(&Barcode::default().formats).with_inverted();
    group.bench_function("slow pass (try-harder + inverted), no barcode", |b| {
        b.iter(|| slow.luma(empty.as_raw(), 1280, 720).is_err())
    });
    group.bench_function("quarter turn + slow pass, no barcode", |b| {
        b.iter(|| {
            let turned = image::imageops::rotate90(&empty);
            slow.luma(turned.as_raw(), 720, 1280).is_err()
        })
    });
    let local_mean = Decoder::for_files(&Barcode::default().formats)
        .with_inverted()
        .with_binarization(Binarization::LocalMean {
            radius: LOCAL_MEAN_RADIUS,
        });
    group.bench_function("local-mean slow pass, no barcode", |b| {
        b.iter(|| local_mean.luma(empty.as_raw(), 1280, 720).is_err())
    });
    group.bench_function("half size (2×2 mean)", |b| b.iter(|| half_size(&empty)));
    group.bench_function("half size + local-mean slow pass, no barcode", |b| {
        b.iter(|| {
            let half = half_size(&empty);
            local_mean.luma(half.as_raw(), 640, 360).is_err()
        })
    });
    group.bench_function("half size + slow pass, no barcode", |b| {
        b.iter(|| {
            let half = half_size(&empty);
            slow.luma(half.as_raw(), 640, 360).is_err()
        })
    });
    // The camera pipeline as it runs: the fast path every frame, the slow passes in turn on one
    // missed frame in four — on a scene that changes every frame (each set runs at its turn),
    // and on a still empty scene (each set once a second: `RETRY_STILL_SCENE_AFTER`). Per
    // frame, averaged over 8.
    // Nine scenes in turn: nine is prime to the four frames between slow turns, so no set of
    // slow passes ever sees the scene it last looked at.
    let changing: Vec<kiosk::camera::Frame> = (0..9u8)
        .map(|i| kiosk::camera::Frame {
            width: 1280,
            height: 720,
            luma: vec![50 + 20 * i; 1280 * 720],
        })
        .collect();
    let mut scenes = changing.iter().cycle();
    let mut moving = kiosk::camera::ScanPipeline::new(kiosk::camera::PipelineOptions::default());
    group.sample_size(20);
    group.bench_function(
        "pipeline per frame, no barcode, scene changing every frame (incl. fallback share)",
        |b| {
            b.iter(|| {
                for frame in scenes.by_ref().take(8) {
                    assert!(moving.feed(frame).is_none());
                }
            })
        },
    );
    let mut pipeline = kiosk::camera::ScanPipeline::new(kiosk::camera::PipelineOptions::default());
    let still = kiosk::camera::Frame {
        width: 1280,
        height: 720,
        luma: empty.as_raw().clone(),
    };
    group.bench_function(
        "pipeline per frame, no barcode, still scene (incl. fallback share)",
        |b| {
            b.iter(|| {
                for _ in 0..8 {
                    assert!(pipeline.feed(&still).is_none());
                }
            })
        },
    );
    // A tag in view: the fast path, then the check that other lines of the frame read the same
    // product (what keeps a misread line off the screen).
    let tagged = kiosk::camera::Frame {
        width: 1280,
        height: 720,
        luma: frame.as_raw().clone(),
    };
    let checker = Decoder::for_files(&Barcode::default().formats);
    let read = checker.luma(frame.as_raw(), 1280, 720).expect("decodes");
    assert!(
        checker
            .line_votes(frame.as_raw(), 1280, 720, &read)
            .agreeing
            >= 1
    );
    group.bench_function("line check of an EAN-13 read (other scan lines)", |b| {
        b.iter(|| checker.line_votes(frame.as_raw(), 1280, 720, &read))
    });
    group.bench_function(
        "pipeline per frame, EAN-13 in view (fast path + line check)",
        |b| {
            b.iter(|| {
                pipeline.reset();
                pipeline.feed(&tagged)
            })
        },
    );
    group.finish();
    // Stills: one careful look per real photograph (fixtures/photos), the median over them.
    let photos = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/photos");
    let mut frames = Vec::new();
    for folder in ["ean13-1", "upca-5", "upce-3", "falsepositives-1"] {
        for path in kiosk::camera::picture_files(&photos.join(folder)).expect("photos") {
            let gray = kiosk::camera::decode::open_picture(&path)
                .expect("photo")
                .to_luma8();
            frames.push((
                folder,
                kiosk::camera::Frame {
                    width: gray.width(),
                    height: gray.height(),
                    luma: gray.into_raw(),
                },
            ));
        }
    }
    let mut stills = c.benchmark_group("still photo, one careful look");
    stills.sample_size(10);
    for folder in ["ean13-1", "upca-5", "upce-3", "falsepositives-1"] {
        let set: Vec<_> = frames
            .iter()
            .filter(|(f, _)| *f == folder)
            .map(|(_, f)| f)
            .collect();
        stills.bench_function(
            format!("{folder} ({} photos, per photo ×n)", set.len()),
            |b| {
                b.iter(|| {
                    for f in &set {
                        pipeline.read_still(f);
                    }
                })
            },
        );
    }
    stills.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
