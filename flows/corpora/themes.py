"""Theme corpora: the seed set the classifier starts from, and a separate held-out set of proposals to evaluate it."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.corpora import malang

SEED_PATH = Path(__file__).resolve().parents[2] / "models" / "data" / "theme_seed.csv"
CATEGORIES = ("perangkat_daerah", "kelurahan", "puskesmas", "smp", "sd")

# ------------------------------------------------------------------------------------------------ seed set
# Short descriptions, one innovation each. Actors of every category appear under every theme so that
# "sekolah" or "kelurahan" stays a weak hint rather than the answer.

_SEED_ACTIVITIES: dict[str, tuple[str, ...]] = {
    "kesehatan": (
        "aplikasi pendaftaran pasien dan antrean poli secara daring",
        "jemput bola imunisasi balita di posyandu",
        "pengingat jadwal imunisasi anak lewat pesan singkat",
        "pemantauan gizi balita dan pencegahan stunting",
        "kelas ibu hamil dan pemeriksaan kehamilan terpadu",
        "antar obat ke rumah pasien lansia dan penderita penyakit kronis",
        "skrining hipertensi dan diabetes di posbindu",
        "kantin sehat sekolah dengan jajanan bergizi tanpa pewarna",
        "pemeriksaan kesehatan siswa oleh petugas UKS",
        "kader jumantik pemberantasan sarang nyamuk demam berdarah",
        "pelacakan dan pendampingan minum obat pasien tuberkulosis",
        "rekam medis elektronik terintegrasi antar puskesmas",
        "rujukan pasien gawat darurat ke rumah sakit secara daring",
        "pemberian tablet tambah darah bagi remaja putri",
        "konseling kesehatan jiwa dan layanan psikolog",
        "pemberian makanan tambahan bagi balita gizi kurang",
        "senam lansia dan pemeriksaan tekanan darah rutin",
        "gerakan cuci tangan pakai sabun dan perilaku hidup bersih dan sehat",
        "pembangunan jamban sehat bagi keluarga",
        "telekonsultasi dokter dan bidan melalui video",
        "pendampingan persalinan aman oleh bidan",
        "layanan vaksinasi keliling untuk warga",
        "deteksi dini kanker serviks bagi perempuan usia subur",
        "pencatatan tumbuh kembang anak dalam buku KIA digital",
        "pojok laktasi dan edukasi ASI eksklusif",
        "penanganan pasien tanpa antre melalui nomor antrean daring",
        "kunjungan rumah bagi pasien pasca rawat inap",
    ),
    "pendidikan": (
        "gerakan literasi membaca lima belas menit sebelum pelajaran",
        "pojok baca kelas dengan buku cerita bergambar",
        "pembelajaran daring dengan video dan modul interaktif",
        "bimbingan belajar gratis bagi siswa yang tertinggal pelajaran",
        "kelas numerasi dengan permainan matematika",
        "perpustakaan keliling ke kampung",
        "sistem penerimaan peserta didik baru secara daring",
        "rapor digital yang dapat dibuka orang tua",
        "pelatihan guru menyusun modul ajar kurikulum merdeka",
        "taman baca masyarakat di balai RW",
        "beasiswa bagi siswa berprestasi dari keluarga kurang mampu",
        "pendampingan belajar anak usia dini di PAUD",
        "jurnal harian siswa dan komunikasi guru dengan orang tua",
        "kelas inklusi bagi peserta didik berkebutuhan khusus",
        "les bahasa Inggris gratis bagi anak kampung",
        "bank soal dan ujian berbasis komputer",
        "ekstrakurikuler robotik dan sains",
        "pencegahan anak putus sekolah melalui kunjungan guru ke rumah",
        "pembelajaran berbasis proyek bersama orang tua",
        "perpustakaan digital sekolah dengan buku elektronik",
        "asesmen diagnostik untuk memetakan kemampuan membaca siswa",
        "kelas menulis dan penerbitan karya siswa",
        "pelatihan guru memanfaatkan teknologi pembelajaran",
        "pendataan anak usia sekolah yang belum bersekolah",
        "pendampingan siswa menghadapi olimpiade sains",
    ),
    "administrasi_kependudukan": (
        "pengurusan kartu keluarga dan KTP elektronik tanpa datang ke kantor",
        "perekaman KTP elektronik jemput bola bagi lansia dan warga sakit",
        "penerbitan akta kelahiran langsung dari rumah sakit dan puskesmas",
        "pengurusan akta kematian terpadu dengan surat keterangan kematian",
        "surat pengantar RT RW secara daring",
        "surat keterangan domisili dan surat keterangan usaha melalui aplikasi",
        "kartu identitas anak diterbitkan di sekolah",
        "pelayanan pindah datang penduduk tanpa antre",
        "tanda tangan elektronik pada surat keterangan kelurahan",
        "pendataan penduduk nonpermanen dan pendatang",
        "legalisasi dokumen kependudukan secara daring",
        "pemutakhiran data penduduk oleh ketua RT",
        "pelacakan status berkas permohonan dokumen kependudukan",
        "pencetakan dokumen kependudukan mandiri di anjungan",
        "perekaman data kependudukan bagi penyandang disabilitas di rumah",
        "pencatatan perkawinan dan perubahan status pada kartu keluarga",
        "layanan adminduk di kelurahan tanpa harus ke dinas",
        "surat keterangan tidak mampu diterbitkan dalam satu hari",
        "kiriman dokumen kependudukan jadi melalui pos ke rumah warga",
        "pembetulan data NIK dan nama pada kartu keluarga",
        "penerbitan KIA bagi siswa baru bekerja sama dengan sekolah",
        "buku register surat keterangan digital di kelurahan",
    ),
    "pendapatan_daerah": (
        "pembayaran pajak bumi dan bangunan melalui dompet digital",
        "pengiriman SPPT PBB langsung ke rumah wajib pajak",
        "penagihan tunggakan pajak daerah secara door to door",
        "alat perekam transaksi pajak restoran dan hotel",
        "pembayaran retribusi pasar secara nontunai",
        "pengecekan tagihan pajak melalui aplikasi",
        "pelayanan BPHTB secara daring terintegrasi notaris",
        "pemberian penghargaan bagi wajib pajak taat",
        "pendataan objek pajak baru dengan peta digital",
        "pengurangan denda pajak bagi warga yang melunasi tunggakan",
        "pembayaran retribusi sampah melalui bank",
        "pemantauan pajak parkir dengan karcis elektronik",
        "sosialisasi kepatuhan pajak kepada pelaku usaha kuliner",
        "pojok pajak di kelurahan untuk membayar PBB",
        "validasi pajak reklame secara elektronik",
        "pemungutan PBB oleh ketua RT dengan aplikasi",
        "lomba lunas PBB antar kelurahan",
        "integrasi data wajib pajak untuk meningkatkan pendapatan asli daerah",
        "mobil pelayanan pajak keliling",
        "tax clearance sebagai syarat layanan",
    ),
    "perlindungan_anak_keluarga": (
        "pencegahan perundungan di sekolah melalui duta anti bullying",
        "pengaduan kekerasan terhadap anak dan perempuan melalui hotline",
        "pendampingan korban kekerasan dalam rumah tangga",
        "sekolah ramah anak dengan kotak curhat siswa",
        "pusat pembelajaran keluarga dan konseling pengasuhan",
        "kelas parenting bagi orang tua",
        "pencegahan perkawinan anak dan pernikahan dini",
        "forum anak kelurahan menyuarakan hak anak",
        "perlindungan anak terpadu berbasis masyarakat di RW",
        "rumah aman bagi perempuan dan anak korban kekerasan",
        "konseling keluarga untuk mencegah perceraian",
        "pendampingan anak berhadapan dengan hukum",
        "ruang bermain ramah anak di kampung",
        "pemberdayaan perempuan kepala keluarga",
        "edukasi pencegahan pelecehan seksual bagi siswa",
        "kampung ramah anak menuju kota layak anak",
        "konselor sebaya untuk mencegah kekerasan antar pelajar",
        "penjangkauan anak korban kekerasan oleh psikolog",
        "sekolah orang tua hebat untuk ketahanan keluarga",
        "pencatatan kasus kekerasan anak secara terpadu",
    ),
    "kesejahteraan_sosial": (
        "pemutakhiran data terpadu kesejahteraan sosial warga miskin",
        "penyaluran bantuan sosial sembako tepat sasaran",
        "pendampingan penyandang disabilitas memperoleh alat bantu kursi roda",
        "penjangkauan lansia terlantar dan gelandangan",
        "penanganan orang dengan gangguan jiwa yang terlantar",
        "dapur umum bagi warga miskin dan lansia sebatang kara",
        "santunan anak yatim dan keluarga kurang mampu",
        "bedah rumah tidak layak huni bagi keluarga miskin",
        "pengaduan warga yang belum menerima bansos",
        "rehabilitasi sosial pengemis dan anak jalanan",
        "pendataan warga rentan berbasis RT",
        "pelayanan terpadu bagi penerima PKH",
        "bank makanan untuk warga prasejahtera",
        "pendampingan pekerja sosial bagi keluarga fakir miskin",
        "kartu identitas bagi penyandang disabilitas untuk akses bantuan",
        "verifikasi kelayakan penerima manfaat bantuan",
        "asuhan lansia di rumah oleh relawan sosial",
        "layanan sosial jemput bola bagi warga miskin",
        "pemberian bantuan pangan nontunai bagi keluarga rentan",
        "pelatihan keterampilan bagi penyandang disabilitas",
    ),
    "lingkungan_hidup": (
        "bank sampah dengan tabungan sampah anorganik",
        "pemilahan sampah organik dan anorganik dari rumah",
        "pengolahan sampah organik menjadi kompos",
        "budidaya maggot untuk mengurai sampah dapur",
        "gerakan menanam pohon dan penghijauan kampung",
        "pembuatan lubang biopori untuk resapan air",
        "pengurangan kantong plastik sekali pakai",
        "daur ulang sampah plastik menjadi kerajinan",
        "kampung iklim dengan kebun sayur hidroponik",
        "sekolah adiwiyata peduli lingkungan",
        "pembuatan eco enzyme dari sisa buah",
        "pengelolaan limbah cair agar sungai tidak tercemar",
        "sedekah sampah untuk membantu warga",
        "penampungan air hujan untuk menyiram taman",
        "urban farming di lahan sempit",
        "pemantauan kualitas udara dan pencemaran",
        "gerakan bersih sungai bersama warga",
        "ruang terbuka hijau dan taman kota",
        "hemat energi dengan lampu tenaga surya",
        "penukaran sampah dengan sembako atau pulsa",
        "komposter komunal di tiap RW",
        "tempat pengolahan sampah reduce reuse recycle",
        "siswa membawa botol minum sendiri untuk mengurangi sampah plastik",
    ),
    "ekonomi_umkm": (
        "pemasaran produk UMKM melalui marketplace",
        "pelatihan kewirausahaan bagi ibu rumah tangga",
        "galeri produk lokal dan kerajinan warga",
        "pendampingan sertifikasi halal bagi usaha mikro",
        "bursa lowongan kerja bagi pencari kerja",
        "pasar rakyat yang bersih dan tertata",
        "koperasi simpan pinjam warga",
        "promosi wisata kampung tematik",
        "festival kuliner untuk meningkatkan omzet pedagang",
        "pelatihan pengemasan produk dan foto produk",
        "pemantauan harga bahan pokok di pasar",
        "pinjaman modal usaha tanpa bunga",
        "kampung kreatif dan ekonomi kreatif",
        "pelatihan kerja bagi pemuda penganggur",
        "aplikasi belanja produk UMKM oleh pegawai",
        "ketahanan pangan dengan lumbung pangan kampung",
        "pameran produk unggulan kelurahan",
        "pelatihan membatik dan menjahit bagi warga",
        "kewirausahaan siswa melalui bazar sekolah",
        "pendaftaran pedagang pasar secara daring",
        "legalitas usaha dan pendampingan pembukuan UMKM",
    ),
    "tata_kelola_perencanaan": (
        "musrenbang daring untuk menampung usulan pembangunan",
        "pengaduan masyarakat terintegrasi yang ditindaklanjuti cepat",
        "dasbor kinerja dan capaian program perangkat daerah",
        "arsip digital dan surat menyurat elektronik",
        "absensi pegawai dengan pengenalan wajah",
        "keterbukaan informasi publik melalui PPID",
        "perencanaan dan penganggaran berbasis data",
        "pengawasan internal dan audit berbasis risiko",
        "satu data kota untuk statistik sektoral",
        "penilaian kinerja aparatur sipil negara secara elektronik",
        "pengadaan barang dan jasa secara elektronik",
        "naskah dinas elektronik tanpa kertas",
        "survei kepuasan masyarakat secara daring",
        "sistem informasi manajemen kepegawaian",
        "pelaporan SAKIP dan akuntabilitas kinerja",
        "forum konsultasi publik penyusunan standar pelayanan",
        "pengelolaan aset daerah dengan kode batang",
        "penyaluran aspirasi warga kepada pimpinan",
        "pemantauan realisasi anggaran secara langsung",
        "tata kelola dana sekolah yang transparan",
        "rapat koordinasi dan evaluasi program secara daring",
    ),
    "perizinan_investasi": (
        "perizinan berusaha melalui online single submission",
        "penerbitan nomor induk berusaha bagi usaha mikro",
        "persetujuan bangunan gedung secara daring",
        "mal pelayanan publik dengan berbagai izin dalam satu tempat",
        "pelacakan status permohonan izin",
        "izin reklame dan izin keramaian secara elektronik",
        "promosi peluang investasi kepada investor",
        "pendampingan pengisian berkas permohonan izin",
        "rekomendasi teknis perizinan terintegrasi antar dinas",
        "layanan perizinan keliling ke kelurahan",
        "sertifikat laik fungsi bangunan secara daring",
        "peta potensi penanaman modal",
        "izin operasional sekolah dan klinik secara daring",
        "pengawasan realisasi penanaman modal",
        "konsultasi perizinan melalui video",
        "penerbitan izin usaha dengan tanda tangan elektronik",
        "percepatan penerbitan izin tanpa biaya tambahan",
        "kesesuaian kegiatan pemanfaatan ruang untuk investasi",
    ),
    "infrastruktur_transportasi": (
        "pelaporan jalan rusak dan lubang jalan melalui foto",
        "pemeliharaan penerangan jalan umum yang padam",
        "normalisasi drainase dan saluran air",
        "parkir elektronik dan tertib parkir",
        "angkutan sekolah gratis bagi siswa",
        "pemantauan lalu lintas dengan CCTV",
        "uji kendaraan bermotor dengan antrean daring",
        "perbaikan trotoar ramah pejalan kaki",
        "jaringan air bersih bagi permukiman padat",
        "pemasangan paving jalan kampung",
        "penataan terminal dan angkutan umum",
        "rekayasa lalu lintas untuk mengurangi kemacetan",
        "pembangunan jembatan penghubung antar kampung",
        "penyeberangan aman di depan sekolah dengan zebra cross",
        "sistem informasi rute angkot",
        "penataan permukiman kumuh",
        "pemeliharaan gorong-gorong",
        "rambu dan marka jalan di kawasan sekolah",
        "bus kota berbasis aplikasi",
        "pengaduan kerusakan fasilitas umum kota",
    ),
    "ketertiban_kebencanaan": (
        "penanganan kebakaran cepat oleh pemadam kebakaran",
        "kampung tangguh bencana dengan relawan siaga",
        "peringatan dini banjir dan tanah longsor",
        "penanganan pohon tumbang",
        "siskamling dan ronda malam warga",
        "penertiban pedagang kaki lima yang melanggar perda",
        "linmas siaga pengamanan kegiatan warga",
        "pelatihan penggunaan APAR bagi warga",
        "simulasi evakuasi gempa di sekolah",
        "panggilan darurat 112 terintegrasi",
        "tanggap darurat dan dapur pengungsi saat bencana",
        "patroli keamanan dan ketertiban umum",
        "pemetaan kawasan rawan bencana",
        "penegakan perda ketertiban umum",
        "sekolah siaga bencana",
        "pelaporan gangguan kamtibmas melalui aplikasi",
        "hidran dan alat pemadam di permukiman padat",
        "mitigasi bencana dengan jalur evakuasi",
        "penertiban bangunan liar di sempadan sungai",
        "posko siaga bencana kelurahan",
    ),
}

_SEED_PROBLEMS: dict[str, tuple[str, ...]] = {
    "kesehatan": ("antrean pasien yang panjang", "angka stunting yang masih tinggi", "cakupan imunisasi yang rendah",
                  "kasus demam berdarah", "banyak lansia dengan hipertensi", "kematian ibu dan bayi",
                  "jajanan siswa yang tidak sehat", "pasien sulit mendapat obat"),
    "pendidikan": ("rendahnya minat baca siswa", "kemampuan numerasi yang rendah", "siswa tertinggal pelajaran",
                   "kurangnya buku bacaan", "guru belum menguasai pembelajaran digital", "anak putus sekolah",
                   "nilai ujian yang menurun"),
    "administrasi_kependudukan": ("lamanya pengurusan KTP dan kartu keluarga",
                                  "banyak anak belum memiliki akta kelahiran",
                                  "warga harus datang berulang kali untuk surat keterangan",
                                  "data penduduk yang tidak mutakhir", "antrean di kantor dukcapil"),
    "pendapatan_daerah": ("rendahnya kepatuhan wajib pajak", "tunggakan PBB yang menumpuk",
                          "kebocoran retribusi", "target pendapatan asli daerah tidak tercapai",
                          "wajib pajak sulit mengetahui tagihan"),
    "perlindungan_anak_keluarga": ("kasus kekerasan terhadap anak", "perundungan antar siswa",
                                   "perkawinan anak", "korban KDRT enggan melapor", "pola asuh yang keliru"),
    "kesejahteraan_sosial": ("bantuan sosial yang tidak tepat sasaran", "warga miskin belum terdata",
                             "penyandang disabilitas sulit mengakses bantuan", "lansia terlantar",
                             "gelandangan dan pengemis di jalan"),
    "lingkungan_hidup": ("sampah rumah tangga yang menumpuk", "sungai yang tercemar limbah",
                         "kurangnya pohon dan ruang hijau", "banyak sampah plastik", "warga belum memilah sampah"),
    "ekonomi_umkm": ("produk UMKM sulit dipasarkan", "pelaku usaha kekurangan modal", "banyak warga menganggur",
                     "omzet pedagang menurun", "harga bahan pokok tidak stabil"),
    "tata_kelola_perencanaan": ("usulan warga tidak tertampung", "aduan masyarakat lambat ditindaklanjuti",
                                "arsip yang hilang dan menumpuk", "kinerja pegawai sulit dipantau",
                                "data antar perangkat daerah tidak sinkron", "anggaran yang tidak tepat sasaran"),
    "perizinan_investasi": ("proses izin yang panjang dan berbelit", "investor kesulitan mengurus izin",
                            "pelaku usaha belum memiliki NIB", "ketidakpastian waktu penerbitan izin"),
    "infrastruktur_transportasi": ("jalan berlubang", "genangan air karena drainase tersumbat", "lampu jalan padam",
                                   "kemacetan di jam sibuk", "parkir liar", "angkutan umum yang sepi penumpang"),
    "ketertiban_kebencanaan": ("kebakaran di permukiman padat", "banjir setiap musim hujan", "pohon tumbang",
                               "gangguan keamanan di malam hari", "PKL yang mengganggu ketertiban",
                               "warga belum siap menghadapi bencana"),
}

# Units are the city's own (flows/corpora/malang.py); agencies are named as proposals write them.
def _named(kind: str, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{kind} {name}" for name in names)


def _smp_names(*numbers: int) -> tuple[str, ...]:
    return tuple(f"SMP Negeri {n} Malang" for n in malang.smp(*numbers))


# Agencies are named after their field, so each theme gets its own; kecamatan and Kominfo are neutral.
_SEED_AGENCIES = {
    "kesehatan": ("Dinas Kesehatan", "RSUD Kota Malang"),
    "pendidikan": ("Dinas Pendidikan dan Kebudayaan", "Dinas Perpustakaan Umum dan Arsip Daerah"),
    "administrasi_kependudukan": ("Dinas Kependudukan dan Pencatatan Sipil",),
    "pendapatan_daerah": ("Badan Pendapatan Daerah",),
    "perlindungan_anak_keluarga": ("Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan KB",),
    "kesejahteraan_sosial": ("Dinas Sosial",),
    "lingkungan_hidup": ("Dinas Lingkungan Hidup",),
    "ekonomi_umkm": ("Dinas Koperasi, Perindustrian dan Perdagangan", "Dinas Tenaga Kerja"),
    "tata_kelola_perencanaan": ("Bappeda", "Badan Kepegawaian dan Pengembangan SDM", "Inspektorat"),
    "perizinan_investasi": ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",),
    "infrastruktur_transportasi": ("Dinas Perhubungan", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    "ketertiban_kebencanaan": ("Satuan Polisi Pamong Praja", "Badan Penanggulangan Bencana Daerah"),
}
_NEUTRAL_AGENCIES = (_named("Kecamatan", malang.kecamatan("Lowokwaru", "Klojen", "Blimbing", "Sukun"))
                     + ("Dinas Komunikasi dan Informatika",))

_SEED_ACTORS = {
    "kelurahan": _named("Kelurahan", malang.kelurahan("Bunulrejo", "Tlogomas", "Sawojajar", "Kauman", "Purwantoro",
                                                      "Merjosari", "Jodipan", "Arjosari")),
    "puskesmas": _named("Puskesmas", malang.puskesmas("Dinoyo", "Kendalkerep", "Janti", "Arjuno", "Mojolangu",
                                                      "Ciptomulyo")),
    "smp": _smp_names(3, 18, 5, 21),
    "sd": _named("SD Negeri", malang.sd("Sumbersari 2", "Purwantoro 1", "Tunggulwulung", "Kauman 1")),
}

# Weak priors: which categories tend to propose which theme; every category appears under every theme.
_SEED_CATEGORY_WEIGHTS = {
    "kesehatan": (2, 2, 5, 1, 1), "pendidikan": (2, 1, 1, 4, 4), "administrasi_kependudukan": (3, 5, 1, 1, 1),
    "pendapatan_daerah": (5, 3, 1, 1, 1), "perlindungan_anak_keluarga": (3, 3, 1, 2, 2),
    "kesejahteraan_sosial": (4, 4, 1, 1, 1), "lingkungan_hidup": (2, 4, 1, 2, 2), "ekonomi_umkm": (4, 4, 1, 1, 1),
    "tata_kelola_perencanaan": (5, 3, 1, 1, 1), "perizinan_investasi": (6, 2, 1, 1, 1),
    "infrastruktur_transportasi": (5, 3, 1, 1, 1), "ketertiban_kebencanaan": (4, 4, 1, 1, 1),
}

_SEED_TEMPLATES = (
    "{actor} menjalankan {activity}.",
    "{activity_cap} oleh {actor} untuk mengatasi {problem}.",
    "Inovasi {actor}: {activity}, karena {problem}.",
    "{actor} mengembangkan aplikasi {activity} sehingga warga terlayani lebih cepat.",
    "Untuk menjawab {problem}, {actor} melaksanakan {activity}.",
    "{activity_cap} bersama kader dan warga di wilayah {actor}.",
    "Program {activity} yang digagas {actor} dan dipantau setiap bulan.",
    "{actor} menghadirkan {activity} dan {activity2}.",
    "Masalah {problem} ditangani {actor} melalui {activity}.",
    "{activity_cap}.",
)

# What any proposer says about itself, whatever the theme: these words must not decide the theme.
_SEED_CONTEXT = {
    "perangkat_daerah": ("Tim pelaksana ditetapkan kepala dinas.", "Dijalankan bersama kecamatan dan kelurahan.",
                         "Bidang teknis dinas menjadi penanggung jawab."),
    "kelurahan": ("Melibatkan ketua RT, RW dan kader PKK.", "Dikoordinasikan lurah di balai kelurahan.",
                  "Warga kampung ikut bergotong royong."),
    "puskesmas": ("Dijalankan petugas puskesmas bersama kader.", "Melibatkan bidan dan perawat wilayah.",
                  "Diumumkan di ruang tunggu puskesmas."),
    "smp": ("Melibatkan siswa, guru dan pengurus OSIS.", "Kepala sekolah dan komite sekolah mendukung.",
            "Wali kelas mendampingi para siswa."),
    "sd": ("Melibatkan murid, guru kelas dan orang tua.", "Kepala sekolah menugaskan guru pendamping.",
           "Siswa kelas rendah dan kelas tinggi ikut serta."),
}
# Boilerplate of every KIPP proposal (the judging criteria ask for the legal basis, budget, satisfaction,
# complaints channel, replication, sustainability): spread over all themes so that none of it decides one.
_SEED_GENERIC = ("Tersedia dalam aplikasi ponsel dan situs web.", "Disosialisasikan lewat media sosial dan spanduk.",
                 "Data capaiannya dilaporkan kepada pimpinan.", "Dibiayai dari anggaran tahun berjalan.",
                 "Dievaluasi setiap tiga bulan.", "Ditetapkan dengan surat keputusan kepala unit.",
                 "Gratis dan tanpa antre.", "Masukan warga ditampung melalui kotak saran.",
                 "Keluhan dapat disampaikan lewat SAMBAT Online.", "Indeks kepuasan naik setelah diterapkan.",
                 "Sudah ditiru oleh unit lain.", "Anggarannya masuk dalam DPA.",
                 "Sejalan dengan visi dan misi wali kota.", "Mendukung tujuan pembangunan berkelanjutan.",
                 "Dirintis saat pandemi COVID-19.", "Kendalanya keterbatasan petugas dan dana.",
                 "Didukung pimpinan dan partisipasi warga.", "Dipantau melalui dasbor sederhana.",
                 "Hasil survei menunjukkan warga puas.", "Terintegrasi dengan aplikasi Pemerintah Kota Malang.")


@dataclass(frozen=True, slots=True)
class SeedRow:
    text: str
    theme: str
    category: str


def build_seed(per_theme: int = 60, seed: int = 2021) -> list[SeedRow]:
    """Varied one-sentence innovations, `per_theme` of each theme, reproducible for a given seed."""
    rng = random.Random(seed)
    rows: list[SeedRow] = []
    for theme, activities in _SEED_ACTIVITIES.items():
        seen: set[str] = set()
        # Every activity appears at least twice before any repeats, so the seed covers the whole lexicon.
        order = list(activities) * (per_theme // len(activities) + 1)
        rng.shuffle(order)
        i = 0
        while len(seen) < per_theme and i < per_theme * 20:
            activity = order[i % len(order)]
            i += 1
            category = rng.choices(CATEGORIES, weights=_SEED_CATEGORY_WEIGHTS[theme])[0]
            if category == "perangkat_daerah":
                actor = rng.choice(_SEED_AGENCIES[theme] * 2 + _NEUTRAL_AGENCIES)
            else:
                actor = rng.choice(_SEED_ACTORS[category])
            text = rng.choice(_SEED_TEMPLATES).format(
                actor=actor, activity=activity, activity_cap=activity[0].upper() + activity[1:],
                activity2=rng.choice(activities), problem=rng.choice(_SEED_PROBLEMS[theme]))
            if rng.random() < 0.4:
                text += " " + rng.choice(_SEED_CONTEXT[category])
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                text += " " + rng.choice(_SEED_GENERIC)
            if text not in seen:
                seen.add(text)
                rows.append(SeedRow(text, theme, category))
    return rows


def write_seed(path: Path = SEED_PATH, per_theme: int = 60, seed: int = 2021) -> Path:
    """Write the seed set as CSV `text,theme,category`; the file is committed as data."""
    rows = build_seed(per_theme, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("text", "theme", "category"))
        writer.writerows((r.text, r.theme, r.category) for r in rows)
    return path


# --------------------------------------------------------------------------------------------- held-out set
# Written apart from the seed: other units, other sentence shapes, whole proposals with the boilerplate every
# proposal carries (aplikasi, WhatsApp, SK, anggaran, kepuasan) and the home vocabulary of the proposer
# (a school's waste bank speaks of siswa and guru, a kelurahan's health app of RT, RW and surat).

@dataclass(frozen=True, slots=True)
class _Scenario:
    theme: str
    acronym: str
    expansion: str
    categories: tuple[str, ...]
    problem: str
    steps: tuple[str, ...]
    outcome: str


def _sc(theme: str, acronym: str, expansion: str, categories: str, problem: str, steps: str,
        outcome: str) -> _Scenario:
    return _Scenario(theme, acronym, expansion, tuple(categories.split()), problem,
                     tuple(s.strip() for s in steps.split("|")), outcome)


_K, _P, _AK, _PD, _PA, _KS, _L, _E, _T, _I, _IT, _B = (
    "kesehatan", "pendidikan", "administrasi_kependudukan", "pendapatan_daerah", "perlindungan_anak_keluarga",
    "kesejahteraan_sosial", "lingkungan_hidup", "ekonomi_umkm", "tata_kelola_perencanaan", "perizinan_investasi",
    "infrastruktur_transportasi", "ketertiban_kebencanaan")

_SCENARIOS: tuple[_Scenario, ...] = (
    # kesehatan
    _sc(_K, "SIGAP BUMIL", "Siaga dan Tanggap Ibu Hamil Berisiko", "kelurahan puskesmas",
        "ibu hamil berisiko tinggi yang terlambat memeriksakan kandungannya",
        "Kader RW mencatat usia kandungan setiap ibu hamil di aplikasi | Bidan menerima notifikasi apabila ada "
        "tanda bahaya kehamilan | Mobil siaga diberangkatkan untuk mengantar ibu ke tempat bersalin",
        "tidak ada lagi kematian ibu melahirkan di wilayah ini sejak inovasi berjalan"),
    _sc(_K, "KANTIN SEHATKU", "Kantin Sehat Kebanggaan Sekolahku", "sd smp",
        "jajanan di sekitar sekolah yang mengandung boraks, formalin dan pewarna tekstil",
        "Penjual kantin dilatih mengolah makanan bergizi seimbang | Tim UKS bersama petugas puskesmas menguji "
        "sampel jajanan setiap bulan | Menu sayur dan buah disediakan bergantian setiap hari",
        "keluhan diare dan sakit perut pada siswa berkurang drastis"),
    _sc(_K, "TIMBANG PINTAR", "Timbang Balita Pantau Tumbuh Kembang Terintegrasi", "kelurahan puskesmas",
        "balita dengan berat badan kurang yang tidak segera tertangani",
        "Hasil penimbangan di posyandu diunggah kader ke grafik pertumbuhan daring | Balita yang garis "
        "pertumbuhannya turun langsung dirujuk ke ahli gizi puskesmas | Ibu balita menerima resep menu makanan "
        "pendamping ASI", "prevalensi balita pendek dan gizi buruk turun dari tahun sebelumnya"),
    _sc(_K, "SEHATI", "Sehat Tanpa Antre Lewat Hati", "puskesmas",
        "penumpukan pasien di ruang tunggu poli umum sejak subuh",
        "Pasien mengambil nomor urut poli melalui pesan WhatsApp | Sistem memperkirakan jam pasien akan "
        "diperiksa dokter | Pasien lansia dan ibu hamil mendapat jalur prioritas di loket pendaftaran",
        "lama tunggu pasien berkurang dari dua jam menjadi tiga puluh menit"),
    _sc(_K, "JUMANTIK CILIK", "Juru Pemantau Jentik Cilik", "sd smp kelurahan",
        "meningkatnya kasus demam berdarah dengue setiap musim hujan",
        "Setiap siswa memeriksa bak mandi dan tempat penampungan air di rumahnya setiap Jumat | Temuan jentik "
        "nyamuk Aedes dilaporkan melalui kartu pantau | Fogging dan abatisasi dilakukan di rumah yang positif",
        "angka bebas jentik naik di atas 95 persen dan tidak ada siswa dirawat karena DBD"),
    _sc(_K, "TEMAN TB", "Temukan dan Obati Tuberkulosis Bersama", "puskesmas kelurahan",
        "penderita TBC yang putus berobat sebelum enam bulan",
        "Kader melacak kontak serumah penderita batuk lama | Pengawas menelan obat mengingatkan jadwal minum "
        "obat setiap pagi | Dahak diperiksa di laboratorium puskesmas tanpa biaya",
        "angka kesembuhan penderita TBC mencapai 92 persen"),
    _sc(_K, "LANSIA BUGAR", "Layanan Sehat Lanjut Usia Bugar dan Gembira", "kelurahan puskesmas",
        "lansia dengan tekanan darah tinggi, gula darah dan kolesterol yang tidak terkontrol",
        "Posyandu lansia digelar di balai RW setiap pekan | Perawat memeriksa tensi, gula darah dan asam urat | "
        "Lansia dengan hasil tidak normal dijadwalkan kontrol ke dokter",
        "lebih banyak lansia rutin kontrol dan kasus stroke berkurang"),
    _sc(_K, "HALO DOKTER", "Hubungi Layanan Online Dokter", "perangkat_daerah puskesmas",
        "warga yang ragu datang ke fasilitas kesehatan saat pandemi",
        "Warga berkonsultasi keluhan sakit dengan dokter melalui panggilan video | Resep dikirim ke apotek "
        "terdekat | Pasien isolasi mandiri dipantau saturasi oksigennya setiap hari",
        "ribuan konsultasi medis terlayani tanpa warga harus keluar rumah"),
    _sc(_K, "REMATRI SEHAT", "Remaja Putri Sehat Bebas Anemia", "smp sd puskesmas",
        "banyak remaja putri yang pucat, lemas dan mengalami anemia",
        "Siswi meminum tablet tambah darah bersama setiap Senin | Kadar hemoglobin diperiksa oleh petugas "
        "puskesmas | Penyuluhan gizi dan menstruasi sehat diberikan di kelas",
        "kasus anemia pada siswi turun setengahnya"),
    _sc(_K, "CURHAT SEHAT JIWA", "Curahan Hati untuk Kesehatan Jiwa", "puskesmas perangkat_daerah",
        "warga dengan depresi dan gangguan cemas yang tidak tertangani",
        "Psikolog puskesmas membuka sesi konseling setiap hari kerja | Kader dilatih mengenali gejala gangguan "
        "jiwa | Pasien dengan gangguan berat dirujuk ke rumah sakit jiwa",
        "deteksi dini gangguan kesehatan jiwa meningkat"),
    # pendidikan
    _sc(_P, "KAMPUNG LITERASI", "Kampung Gemar Membaca dan Menulis", "kelurahan",
        "anak-anak di kampung lebih banyak bermain gawai daripada membaca buku",
        "Pos RW disulap menjadi rumah baca dengan ratusan buku cerita | Relawan mahasiswa membacakan dongeng "
        "setiap Minggu pagi | Anak-anak menulis cerita pendek dan memajangnya di dinding baca",
        "anak-anak rata-rata membaca empat buku setiap bulan"),
    _sc(_P, "GURU KUNJUNG", "Guru Kunjung ke Rumah Siswa", "sd smp",
        "siswa yang tidak memiliki gawai tertinggal materi selama belajar dari rumah",
        "Guru mendatangi kelompok kecil siswa di rumah warga secara bergiliran | Lembar kerja dan buku paket "
        "dibagikan setiap pekan | Orang tua mendampingi anak mengerjakan tugas",
        "tidak ada siswa yang tinggal kelas dan hasil ulangan tetap stabil"),
    _sc(_P, "MATEMATIKA ASYIK", "Matematika Asyik Lewat Permainan", "sd smp",
        "nilai asesmen numerasi siswa yang berada di bawah rata-rata kota",
        "Guru merancang permainan kartu pecahan dan ular tangga perkalian | Siswa belajar berkelompok dengan "
        "tutor sebaya | Kemajuan setiap anak dicatat dalam lembar asesmen formatif",
        "skor numerasi siswa naik dalam asesmen nasional"),
    _sc(_P, "PPDB RAMAH", "Penerimaan Peserta Didik Baru Ramah Orang Tua", "perangkat_daerah",
        "orang tua yang kebingungan dengan jalur zonasi dan kuota sekolah",
        "Pendaftaran calon siswa dilakukan sepenuhnya daring | Peta jarak rumah ke sekolah ditampilkan "
        "otomatis | Posko bantuan pendaftaran dibuka di setiap kecamatan",
        "seluruh calon peserta didik tertampung tanpa antrean di sekolah"),
    _sc(_P, "PERPUSLING", "Perpustakaan Keliling Menyapa Anak", "perangkat_daerah",
        "sulitnya anak-anak pinggiran kota menjangkau perpustakaan",
        "Mobil perpustakaan membawa koleksi buku ke sekolah dan taman kota | Pustakawan mengadakan lomba "
        "mendongeng | Kartu anggota perpustakaan diterbitkan di tempat",
        "jumlah peminjam buku anak meningkat tiga kali lipat"),
    _sc(_P, "SAHABAT BELAJAR", "Siswa Hebat Bimbing Teman Belajar", "smp sd",
        "siswa yang kesulitan memahami pelajaran tetapi malu bertanya kepada guru",
        "Siswa berprestasi menjadi tutor bagi teman sekelasnya | Jadwal belajar bersama diatur wali kelas | "
        "Ringkasan materi ujian disusun bersama",
        "ketuntasan belajar kelas meningkat"),
    _sc(_P, "CALISTUNG CERIA", "Baca Tulis Hitung Ceria Anak Usia Dini", "kelurahan sd",
        "anak yang masuk kelas satu belum siap membaca dan berhitung",
        "Pendidik PAUD memakai alat peraga huruf dan angka | Orang tua diberi panduan bermain sambil belajar | "
        "Guru kelas satu memantau kesiapan sekolah anak",
        "lebih banyak anak lancar membaca pada semester pertama"),
    _sc(_P, "RAPOR KITA", "Rapor dan Kemajuan Belajar Terbuka untuk Orang Tua", "sd smp",
        "orang tua baru mengetahui kesulitan belajar anaknya saat pembagian rapor",
        "Nilai harian dan catatan guru dapat dilihat orang tua setiap saat | Wali kelas mengirim ringkasan "
        "kemajuan belajar setiap bulan | Pertemuan guru dan orang tua dijadwalkan bila nilai turun",
        "orang tua lebih terlibat dalam proses belajar anak"),
    # administrasi kependudukan
    _sc(_AK, "KLIK SURAT", "Kelurahan Layani Surat dari Rumah", "kelurahan",
        "warga harus datang ke kantor kelurahan berkali-kali hanya untuk surat pengantar",
        "Warga mengunggah foto KTP dan kartu keluarga melalui tautan | Petugas memverifikasi berkas dan "
        "menerbitkan surat pengantar bertanda tangan elektronik | Dokumen dikirim kembali dalam bentuk PDF",
        "surat selesai dalam satu hari kerja tanpa tatap muka"),
    _sc(_AK, "BAYI PULANG BAWA AKTA", "Bayi Lahir Pulang Membawa Akta dan Kartu Keluarga", "puskesmas perangkat_daerah",
        "banyak bayi yang baru dibuatkan akta kelahiran setelah berumur bertahun-tahun",
        "Bidan mengirim surat keterangan lahir secara daring ke Disdukcapil | Akta kelahiran, kartu keluarga "
        "baru dan KIA dicetak sebelum ibu pulang | Dokumen kependudukan diserahkan di ruang nifas",
        "cakupan kepemilikan akta kelahiran anak mendekati seratus persen"),
    _sc(_AK, "KIA GOES TO SCHOOL", "Kartu Identitas Anak Masuk Sekolah", "sd smp perangkat_daerah",
        "rendahnya kepemilikan kartu identitas anak",
        "Sekolah mengumpulkan fotokopi kartu keluarga dan akta kelahiran siswa | Petugas Disdukcapil mencetak "
        "KIA di sekolah | Siswa menerima kartu identitasnya di kelas",
        "ribuan siswa memiliki KIA dalam satu semester"),
    _sc(_AK, "REKAM KTP DI RUMAH", "Perekaman KTP-el di Rumah Warga", "kelurahan perangkat_daerah",
        "lansia dan warga yang sakit tidak bisa datang merekam KTP elektronik",
        "Petugas membawa alat perekaman sidik jari dan iris mata ke rumah warga | Ketua RT mendata warga yang "
        "belum merekam | KTP-el yang sudah dicetak diantar ke rumah",
        "seluruh warga wajib KTP di kelurahan telah terekam"),
    _sc(_AK, "SUKET QR", "Surat Keterangan Ber-QR Code", "kelurahan",
        "surat keterangan domisili yang mudah dipalsukan",
        "Setiap surat keterangan domisili, usaha dan belum menikah memiliki kode QR | Pihak bank dan sekolah "
        "dapat memindai kode untuk memeriksa keaslian surat | Register surat tersimpan dalam basis data",
        "tidak ditemukan lagi surat keterangan palsu"),
    _sc(_AK, "PINDAH MUDAH", "Pindah Datang Penduduk Mudah dan Daring", "perangkat_daerah kelurahan",
        "pengurusan pindah datang penduduk yang harus bolak-balik ke kota asal",
        "Warga mengajukan surat pindah melalui aplikasi | Data kependudukan dimutakhirkan otomatis di kota "
        "tujuan | Kartu keluarga baru dikirim melalui surel",
        "waktu pengurusan pindah datang menjadi dua hari"),
    _sc(_AK, "LAPOR MATI", "Layanan Pelaporan Kematian Warga", "kelurahan",
        "kematian warga yang tidak dilaporkan sehingga data penduduk tidak akurat",
        "Ketua RT melaporkan warga yang meninggal dunia melalui pesan singkat | Kelurahan menerbitkan surat "
        "keterangan kematian | Akta kematian dan kartu keluarga baru diantar kepada ahli waris",
        "data kependudukan di kelurahan lebih mutakhir"),
    # pendapatan daerah
    _sc(_PD, "PBB CERDAS", "Pembayaran PBB Cepat, Ringan dan Digital", "perangkat_daerah",
        "wajib pajak yang enggan antre di bank untuk membayar PBB",
        "SPPT PBB memuat kode QRIS yang bisa dipindai dari telepon genggam | Tagihan dapat dibayar di minimarket "
        "dan dompet elektronik | Bukti lunas pajak dikirim otomatis",
        "realisasi penerimaan PBB naik sebelas persen"),
    _sc(_PD, "RT LUNAS PBB", "Ketua RT Kawal Lunas Pajak Bumi dan Bangunan", "kelurahan",
        "tunggakan pajak bumi dan bangunan yang menumpuk di tingkat RT",
        "Ketua RT menyampaikan SPPT langsung ke rumah wajib pajak | Daftar warga yang belum membayar dipantau "
        "kelurahan setiap minggu | RT yang lebih dulu lunas mendapat penghargaan",
        "kelurahan mencapai lunas PBB sebelum jatuh tempo"),
    _sc(_PD, "TAPPING BOX", "Perekam Transaksi Usaha Restoran dan Hotel", "perangkat_daerah",
        "omzet restoran dan hotel yang dilaporkan lebih kecil dari sebenarnya",
        "Alat perekam dipasang pada mesin kasir restoran, kafe dan hotel | Data transaksi terkirim ke server "
        "Bapenda secara langsung | Petugas memeriksa selisih setoran pajak",
        "penerimaan pajak restoran meningkat signifikan"),
    _sc(_PD, "E-RETRIBUSI PASAR", "Retribusi Pasar Elektronik", "perangkat_daerah",
        "pungutan retribusi kios pasar secara tunai yang rawan bocor",
        "Setiap pedagang pasar memiliki kartu retribusi elektronik | Pembayaran retribusi harian dilakukan "
        "dengan memindai kartu | Rekap setoran retribusi tersaji di dasbor",
        "kebocoran retribusi pasar dapat ditekan"),
    _sc(_PD, "REKLAME TERDATA", "Pendataan Objek Pajak Reklame dan Parkir", "perangkat_daerah",
        "banyak papan reklame dan lahan parkir yang belum terdaftar sebagai objek pajak",
        "Petugas memotret dan menandai lokasi reklame di peta digital | Pemilik reklame yang belum terdaftar "
        "diberi surat teguran | Nilai pajak dihitung otomatis berdasarkan ukuran",
        "ratusan objek pajak baru tercatat"),
    _sc(_PD, "BPHTB ONLINE", "Validasi BPHTB Tanpa Tatap Muka", "perangkat_daerah",
        "validasi BPHTB transaksi jual beli tanah yang memakan waktu lama",
        "Notaris mengajukan validasi bea perolehan hak atas tanah secara daring | Nilai transaksi dibandingkan "
        "dengan zona nilai tanah | Wajib pajak membayar melalui kode bayar",
        "validasi BPHTB selesai dalam hitungan jam"),
    # perlindungan anak dan keluarga
    _sc(_PA, "STOP BULLY", "Sekolah Tanpa Perundungan", "smp sd",
        "kasus ejekan, pengucilan dan perundungan antar siswa",
        "Siswa terpilih dilatih menjadi agen anti perundungan | Kotak pengaduan rahasia dipasang di setiap lantai "
        "| Guru bimbingan konseling menangani laporan dalam 24 jam",
        "laporan perundungan tertangani dan siswa merasa lebih aman"),
    _sc(_PA, "SATGAS PANDU ANAK", "Satgas Perlindungan Anak Terpadu Berbasis Masyarakat", "kelurahan",
        "kekerasan terhadap anak yang dianggap urusan keluarga sehingga tidak dilaporkan",
        "Satgas dibentuk di tiap RW dengan anggota tokoh agama dan kader | Warga dapat melaporkan dugaan "
        "kekerasan anak tanpa menyebut nama | Korban didampingi ke layanan psikologis dan hukum",
        "semua laporan kekerasan anak ditindaklanjuti"),
    _sc(_PA, "RUANG AMAN PEREMPUAN", "Ruang Konseling Aman bagi Perempuan dan Anak", "puskesmas perangkat_daerah",
        "perempuan korban kekerasan dalam rumah tangga yang tidak tahu harus melapor ke mana",
        "Petugas terlatih menanyakan tanda kekerasan secara tertutup | Korban kekerasan dirujuk ke unit "
        "pelayanan perlindungan perempuan dan anak | Pendampingan hukum disediakan bagi korban",
        "korban KDRT mendapat pendampingan lebih cepat"),
    _sc(_PA, "CEGAH KAWIN ANAK", "Cegah Perkawinan Usia Anak", "kelurahan perangkat_daerah",
        "tingginya permohonan dispensasi nikah bagi remaja di bawah umur",
        "Remaja dan orang tua mengikuti konseling sebelum menikah | Tokoh agama menyampaikan bahaya pernikahan "
        "dini | Remaja putus sekolah diarahkan kembali ke pendidikan kesetaraan",
        "angka perkawinan anak turun"),
    _sc(_PA, "SEKOLAH AYAH BUNDA", "Sekolah Pengasuhan untuk Ayah dan Bunda", "sd kelurahan",
        "pola asuh keras dan kurangnya kedekatan orang tua dengan anak",
        "Orang tua mengikuti kelas pengasuhan positif setiap bulan | Psikolog memberikan konsultasi keluarga | "
        "Ayah dilibatkan dalam kegiatan bersama anak",
        "hubungan orang tua dan anak membaik"),
    _sc(_PA, "SUARA ANAK", "Forum Suara Anak Kelurahan", "kelurahan",
        "anak-anak tidak pernah dilibatkan dalam keputusan yang menyangkut hak mereka",
        "Forum anak menyampaikan usulan dalam musyawarah kelurahan | Anak-anak memetakan tempat yang tidak aman "
        "bagi mereka | Usulan forum anak ditindaklanjuti menuju kelurahan layak anak",
        "kelurahan meraih predikat ramah anak"),
    _sc(_PA, "HOTLINE SAPA", "Sahabat Perempuan dan Anak Siaga", "perangkat_daerah",
        "lambatnya penanganan laporan kekerasan terhadap perempuan dan anak",
        "Layanan pengaduan dibuka 24 jam melalui telepon dan WhatsApp | Tim reaksi cepat menjangkau korban | "
        "Rumah aman disiapkan bagi korban yang terancam",
        "waktu respons laporan kekerasan di bawah satu jam"),
    # kesejahteraan sosial
    _sc(_KS, "DATA SEJAHTERA", "Pendataan Warga Prasejahtera Berbasis RT", "kelurahan",
        "bantuan sosial yang salah sasaran karena data penerima yang usang",
        "Ketua RT memverifikasi kondisi rumah tangga penerima bantuan | Keluarga mampu dikeluarkan dari daftar "
        "dan keluarga miskin baru diusulkan | Musyawarah kelurahan mengesahkan usulan DTKS",
        "ketepatan sasaran penyaluran bansos meningkat"),
    _sc(_KS, "SAHABAT DIFABEL", "Sarana Bantu Sahabat Difabel", "perangkat_daerah kelurahan",
        "penyandang disabilitas yang belum memiliki alat bantu dan tidak terjangkau bantuan",
        "Pekerja sosial mengunjungi rumah penyandang disabilitas | Kursi roda, kruk dan alat bantu dengar "
        "disalurkan sesuai kebutuhan | Penyandang disabilitas didaftarkan sebagai penerima jaminan sosial",
        "ratusan penyandang disabilitas menerima alat bantu"),
    _sc(_KS, "RANTANG KASIH", "Rantang Makanan untuk Lansia Sebatang Kara", "kelurahan",
        "lansia miskin yang hidup sendiri tanpa ada yang merawat",
        "Warga bergotong royong memasak dan mengantar rantang makanan setiap hari | Relawan menemani lansia "
        "terlantar | Lansia diusulkan menerima bantuan permakanan",
        "puluhan lansia sebatang kara terpenuhi kebutuhan makannya"),
    _sc(_KS, "BEDAH RUMAH", "Gerakan Bedah Rumah Warga Miskin", "kelurahan perangkat_daerah",
        "keluarga miskin yang tinggal di rumah tidak layak huni",
        "Rumah warga miskin dinilai kelayakannya oleh tim kelurahan | Dana zakat dan CSR dihimpun untuk "
        "perbaikan atap, lantai dan dinding | Warga bergotong royong membangun kembali rumah",
        "belasan rumah tidak layak huni diperbaiki setiap tahun"),
    _sc(_KS, "JALAN PULANG", "Penjangkauan Gelandangan dan Anak Jalanan", "perangkat_daerah",
        "gelandangan, pengemis dan anak jalanan di persimpangan kota",
        "Tim penjangkauan mendata gelandangan dan pengemis | Mereka ditampung di rumah singgah dan direhabilitasi "
        "| Pelatihan keterampilan diberikan sebelum dipulangkan ke keluarga",
        "jumlah pengemis di jalan berkurang"),
    _sc(_KS, "LUMBUNG PEDULI", "Lumbung Sosial Peduli Sesama", "kelurahan sd smp",
        "keluarga kurang mampu yang kesulitan memenuhi kebutuhan pokok",
        "Warga menyumbangkan beras dan kebutuhan pokok ke lumbung sosial | Paket sembako dibagikan kepada "
        "keluarga fakir miskin yang terdata | Penyaluran bantuan diumumkan secara terbuka",
        "keluarga rentan terbantu setiap bulan"),
    _sc(_KS, "ODGJ PULIH", "Penanganan Orang Terlantar dengan Gangguan Jiwa", "perangkat_daerah",
        "orang dengan gangguan jiwa yang terlantar dan dipasung keluarganya",
        "Pekerja sosial membebaskan warga dari pasung | Mereka ditempatkan di panti rehabilitasi sosial | "
        "Keluarga menerima bantuan sosial dan pendampingan",
        "tidak ada lagi warga yang dipasung"),
    # lingkungan hidup
    _sc(_L, "BANK SAMPAH SEKOLAH", "Bank Sampah Siswa Peduli Lingkungan", "sd smp",
        "sampah plastik bekas jajanan yang berserakan di halaman sekolah",
        "Siswa membawa botol dan kertas bekas dari rumah untuk ditabung | Petugas kelas menimbang sampah dan "
        "mencatat tabungan di buku nasabah | Hasil penjualan sampah dipakai membeli alat tulis",
        "volume sampah sekolah berkurang dan sekolah meraih predikat adiwiyata"),
    _sc(_L, "BANK SAMPAH DIGITAL", "Tabungan Sampah Warga Berbasis Aplikasi", "kelurahan",
        "sampah rumah tangga yang dibuang ke sungai dan lahan kosong",
        "Warga menyetorkan sampah anorganik yang sudah dipilah ke pos bank sampah | Berat sampah dan saldo "
        "tabungan tercatat di aplikasi | Saldo dapat ditukar dengan pembayaran listrik",
        "berton-ton sampah anorganik tidak lagi berakhir di TPA"),
    _sc(_L, "PUSKESMAS HIJAU", "Puskesmas Hijau Ramah Lingkungan", "puskesmas",
        "limbah medis dan sampah domestik yang bercampur di fasilitas pelayanan",
        "Sampah infeksius, botol infus dan sampah dapur dipisahkan dalam wadah berwarna | Halaman ditanami pohon "
        "peneduh dan tanaman obat | Air bekas wudu ditampung untuk menyiram taman",
        "penggunaan air dan listrik turun serta lingkungan lebih asri"),
    _sc(_L, "MAGGOT MANDIRI", "Maggot untuk Kelurahan Mandiri Sampah", "kelurahan",
        "sampah sisa makanan yang membusuk di tempat pembuangan sementara",
        "Larva lalat tentara hitam dibudidayakan untuk mengurai sampah organik | Sisa penguraian dijadikan pupuk "
        "kasgot | Warga menyetor sisa dapur setiap pagi",
        "sampah organik yang diangkut ke TPS berkurang separuhnya"),
    _sc(_L, "KAMPUNG RESAPAN", "Kampung Hemat Air dan Resapan", "kelurahan",
        "air hujan yang langsung mengalir ke selokan dan sumur warga yang mengering",
        "Warga membuat lubang biopori di pekarangan | Sumur resapan dibangun di setiap gang | Tanaman keras "
        "ditanam di lahan tidur",
        "kampung memperoleh penghargaan program kampung iklim"),
    _sc(_L, "ANGKUT SAMPAH ONLINE", "Layanan Angkut Sampah Terjadwal", "perangkat_daerah",
        "pengangkutan sampah yang tidak teratur sehingga TPS meluber",
        "Jadwal truk pengangkut sampah dapat dipantau warga | Warga melaporkan tumpukan sampah liar dengan foto "
        "| Armada pengangkut diarahkan ke lokasi terdekat",
        "tumpukan sampah liar di pinggir jalan berkurang"),
    _sc(_L, "SUNGAIKU BERSIH", "Gerakan Sungai Bersih dan Lestari", "kelurahan perangkat_daerah",
        "sungai yang tercemar sampah dan limbah rumah tangga",
        "Warga bantaran sungai rutin memungut sampah setiap Minggu | Saluran limbah rumah tangga diarahkan ke "
        "instalasi pengolahan komunal | Kualitas air sungai diuji setiap tiga bulan",
        "kualitas air sungai membaik dan ikan kembali hidup"),
    _sc(_L, "KEBUN SEKOLAH", "Kebun Hijau Sekolah dan Kompos Kelas", "sd smp",
        "lahan sekolah yang gersang dan daun kering yang dibakar",
        "Siswa mengolah daun kering menjadi kompos di komposter kelas | Pot tanaman dan pohon buah ditanam di "
        "halaman | Setiap kelas bertanggung jawab merawat taman",
        "sekolah menjadi teduh dan tidak ada lagi pembakaran sampah"),
    # ekonomi dan UMKM
    _sc(_E, "KATALOG KAMPUNG", "Katalog Daring Produk Warga Kelurahan", "kelurahan",
        "produk keripik, batik dan kue warga yang hanya dijual di sekitar rumah",
        "Pelaku usaha mikro difoto produknya dan dimasukkan ke katalog daring | Pesanan diteruskan ke penjual "
        "melalui WhatsApp | Kelurahan membantu pengiriman melalui ojek daring",
        "omzet pelaku usaha naik hingga dua kali lipat"),
    _sc(_E, "UMKM NAIK KELAS", "Usaha Mikro Naik Kelas Lewat Digital", "perangkat_daerah",
        "pelaku UMKM yang belum memanfaatkan pemasaran digital",
        "Pelaku usaha dilatih berjualan di lokapasar dan media sosial | Pendamping membantu desain kemasan dan "
        "merek | Produk unggulan diikutkan pameran nasional",
        "ribuan UMKM mulai berjualan daring"),
    _sc(_E, "BURSA KERJA", "Bursa Kerja Daring Pencari Kerja", "perangkat_daerah kelurahan",
        "pengangguran muda yang tidak mengetahui lowongan pekerjaan",
        "Perusahaan mengunggah lowongan kerja ke portal | Pencari kerja membuat profil dan kartu kuning secara "
        "daring | Pelatihan berbasis kompetensi diberikan sebelum penempatan kerja",
        "ratusan pencari kerja diterima bekerja"),
    _sc(_E, "MARKET DAY", "Hari Pasar Siswa Wirausaha", "sd smp",
        "belum tumbuhnya jiwa wirausaha di kalangan siswa",
        "Siswa memproduksi dan menjual makanan olahan di bazar sekolah | Keuntungan penjualan dihitung bersama "
        "| Produk terbaik dipasarkan di koperasi sekolah",
        "siswa mampu menghitung modal dan keuntungan usaha"),
    _sc(_E, "KAMPUNG WISATA", "Kampung Wisata Tematik Warna-Warni", "kelurahan",
        "kampung padat yang kumuh dan warganya berpenghasilan rendah",
        "Rumah warga dicat warna-warni dan dijadikan destinasi wisata | Warga membuka warung kuliner dan toko "
        "suvenir | Tiket masuk dikelola kelompok sadar wisata",
        "kunjungan wisatawan menambah penghasilan warga"),
    _sc(_E, "SAYUR ANTAR", "Pasar Sayur Antar ke Rumah", "perangkat_daerah kelurahan",
        "sepinya pembeli di pasar tradisional",
        "Pedagang pasar menerima pesanan sayur dan lauk melalui aplikasi | Kurir mengantar belanjaan ke rumah "
        "pembeli | Harga bahan pokok diumumkan setiap pagi",
        "penjualan pedagang pasar kembali pulih"),
    _sc(_E, "HALAL MUDAH", "Pendampingan Sertifikat Halal Usaha Mikro", "perangkat_daerah kelurahan",
        "produk makanan rumahan yang ditolak toko modern karena belum bersertifikat halal",
        "Pendamping proses produk halal membantu pelaku usaha menyusun dokumen | Dapur produksi diperiksa "
        "kebersihannya | Sertifikat halal gratis difasilitasi",
        "produk UMKM bisa masuk jaringan toko modern"),
    _sc(_E, "KOPERASI WARGA", "Koperasi Simpan Pinjam Warga Anti Rentenir", "kelurahan",
        "pedagang kecil yang terjerat pinjaman rentenir",
        "Warga menjadi anggota koperasi dengan simpanan pokok ringan | Pinjaman modal usaha diberikan dengan "
        "jasa rendah | Rapat anggota tahunan membagi sisa hasil usaha",
        "pedagang kecil terbebas dari rentenir"),
    # tata kelola dan perencanaan
    _sc(_T, "MUSRENBANG ONLINE", "Musyawarah Perencanaan Pembangunan Daring", "kelurahan perangkat_daerah",
        "usulan warga dalam musrenbang yang tidak pernah diketahui tindak lanjutnya",
        "Setiap RW mengunggah usulan pembangunan beserta foto lokasi | Usulan diberi skor prioritas dan "
        "dibahas dalam forum perangkat daerah | Warga dapat memantau status usulan dalam rencana kerja",
        "lebih banyak usulan warga masuk ke APBD"),
    _sc(_T, "ADUAN KILAT", "Aduan Warga Ditindaklanjuti Kilat", "perangkat_daerah kelurahan",
        "keluhan warga di media sosial yang tidak dijawab instansi",
        "Setiap aduan yang masuk diberi nomor tiket | Admin mendisposisikan aduan ke unit kerja yang berwenang | "
        "Batas waktu jawaban aduan dipantau pimpinan",
        "aduan terjawab rata-rata dalam tiga hari"),
    _sc(_T, "E-ARSIP", "Arsip Elektronik Dinamis", "perangkat_daerah kelurahan",
        "berkas dan arsip yang menumpuk di gudang dan sulit dicari",
        "Dokumen lama dipindai dan diberi kode klasifikasi | Naskah dinas baru dibuat dan disimpan secara "
        "elektronik | Pencarian arsip dilakukan dengan kata kunci",
        "pencarian arsip dari satu jam menjadi satu menit"),
    _sc(_T, "KINERJA KITA", "Pemantauan Kinerja Aparatur Harian", "perangkat_daerah",
        "kinerja pegawai yang hanya dinilai setahun sekali",
        "Setiap aparatur mengisi laporan aktivitas harian | Atasan memberikan penilaian dan umpan balik | "
        "Tunjangan kinerja dihitung otomatis dari capaian",
        "disiplin dan produktivitas pegawai meningkat"),
    _sc(_T, "BOS TRANSPARAN", "Transparansi Dana Bantuan Operasional Sekolah", "sd smp",
        "kecurigaan orang tua terhadap penggunaan dana sekolah",
        "Rencana kegiatan dan anggaran sekolah dipasang di papan informasi | Laporan realisasi penggunaan dana BOS "
        "diunggah setiap triwulan | Komite sekolah ikut mengawasi belanja",
        "kepercayaan orang tua terhadap pengelolaan keuangan sekolah meningkat"),
    _sc(_T, "SUARA PASIEN", "Survei dan Pengaduan Pengguna Layanan Puskesmas", "puskesmas",
        "keluhan pengunjung yang tidak tercatat dan tidak ditindaklanjuti manajemen",
        "Pengunjung mengisi survei kepuasan di tablet setelah dilayani | Setiap keluhan dibahas dalam rapat "
        "manajemen mingguan | Hasil survei dan tindak lanjut dipublikasikan",
        "indeks kepuasan masyarakat menjadi sangat baik"),
    _sc(_T, "SATU DATA", "Satu Data Kota Terpadu", "perangkat_daerah",
        "data statistik antar perangkat daerah yang berbeda-beda",
        "Setiap perangkat daerah menunjuk wali data | Data sektoral dibakukan dengan metadata | Portal data "
        "terbuka dapat diakses publik",
        "perencanaan pembangunan memakai satu sumber data"),
    _sc(_T, "INFO PUBLIK", "Pelayanan Informasi Publik Terbuka", "perangkat_daerah kelurahan",
        "permohonan informasi publik yang lama dijawab",
        "Daftar informasi publik diumumkan di laman resmi | Permohonan informasi dapat diajukan daring | "
        "Keberatan ditangani oleh atasan PPID",
        "lembaga meraih predikat informatif dari komisi informasi"),
    # perizinan dan investasi
    _sc(_I, "IZIN KILAT", "Izin Usaha Kilat dan Terlacak", "perangkat_daerah",
        "pemohon izin yang tidak tahu sampai di mana berkasnya diproses",
        "Pemohon menerima nomor registrasi perizinan | Status berkas izin dapat dilacak setiap tahap | Izin "
        "terbit dengan tanda tangan elektronik dan dapat diunduh",
        "waktu penerbitan izin berkurang dari empat belas hari menjadi tiga hari"),
    _sc(_I, "MPP", "Mal Pelayanan Publik Terpadu", "perangkat_daerah",
        "pemohon izin harus mendatangi banyak kantor yang berbeda",
        "Loket perizinan berbagai instansi dihimpun dalam satu gedung | Pemohon mengambil satu nomor antrean "
        "untuk semua izin | Konsultasi perizinan tersedia di meja bantuan",
        "jumlah izin yang terbit meningkat"),
    _sc(_I, "NIB UNTUK WARGA", "Pendampingan Nomor Induk Berusaha di Kelurahan", "kelurahan",
        "pedagang kecil yang usahanya belum legal sehingga sulit mendapat pinjaman bank",
        "Petugas kelurahan membantu pelaku usaha mendaftar di sistem OSS | NIB diterbitkan dan dicetak di "
        "kantor kelurahan | Pelaku usaha dijelaskan kewajiban perizinan lanjutan",
        "ratusan usaha mikro memiliki nomor induk berusaha"),
    _sc(_I, "SIP NAKES ONLINE", "Surat Izin Praktik Tenaga Kesehatan Daring", "perangkat_daerah",
        "dokter dan bidan yang menunggu lama untuk memperoleh surat izin praktik",
        "Tenaga kesehatan mengunggah STR dan rekomendasi organisasi profesi | Verifikasi berkas permohonan izin "
        "dilakukan daring | Izin praktik diterbitkan tanpa tatap muka",
        "izin praktik terbit dalam lima hari kerja"),
    _sc(_I, "PELUANG INVESTASI", "Peta Peluang Penanaman Modal", "perangkat_daerah",
        "calon investor yang kesulitan mendapatkan informasi peluang usaha di kota",
        "Profil proyek siap tawar disusun lengkap dengan kajian kelayakan | Forum bisnis mempertemukan investor "
        "dengan pemilik lahan | Investor didampingi hingga realisasi penanaman modal",
        "nilai realisasi investasi melampaui target"),
    _sc(_I, "PBG CEPAT", "Persetujuan Bangunan Gedung Cepat", "perangkat_daerah",
        "pemohon persetujuan bangunan gedung yang harus bolak-balik melengkapi gambar teknis",
        "Tim profesi ahli memeriksa gambar rencana secara daring | Pemohon berkonsultasi melalui video | "
        "Retribusi PBG dihitung otomatis dan izin terbit elektronik",
        "persetujuan bangunan selesai dalam dua minggu"),
    # infrastruktur dan transportasi
    _sc(_IT, "BUS SEKOLAH", "Bus Sekolah Gratis dan Aman", "perangkat_daerah sd smp",
        "siswa yang berangkat sekolah berdesakan di angkot atau dibonceng tanpa helm",
        "Bus gratis menjemput pelajar di halte sesuai rute | Posisi bus dapat dipantau orang tua | Sopir dan "
        "kondektur dilatih keselamatan berlalu lintas",
        "ribuan pelajar diangkut setiap hari"),
    _sc(_IT, "LAPOR JALAN", "Laporan Jalan Berlubang Warga", "kelurahan perangkat_daerah",
        "jalan kampung berlubang yang menyebabkan kecelakaan pengendara",
        "Warga memotret jalan rusak dan mengirim titik lokasinya | Tim reaksi cepat menambal lubang dengan aspal "
        "| Perbaikan besar dimasukkan dalam rencana pemeliharaan jalan",
        "jalan rusak diperbaiki kurang dari tujuh hari"),
    _sc(_IT, "DRAINASE LANCAR", "Saluran Drainase Lancar Bebas Genangan", "perangkat_daerah kelurahan",
        "genangan air setinggi lutut di jalan protokol setiap hujan deras",
        "Saluran dan gorong-gorong yang tersumbat dikeruk | Kapasitas saluran diperbesar di titik rawan | Sensor "
        "ketinggian air dipasang di saluran utama",
        "titik genangan di jalan kota berkurang"),
    _sc(_IT, "TERANG KAMPUNG", "Lampu Penerangan Jalan Kampung", "kelurahan perangkat_daerah",
        "gang dan jalan yang gelap gulita di malam hari",
        "Warga melaporkan lampu PJU yang mati melalui pesan | Petugas mengganti lampu dengan LED hemat | Tiang "
        "lampu baru dipasang di jalan tanpa penerangan",
        "lampu jalan padam diperbaiki dalam dua hari"),
    _sc(_IT, "PARKIR NONTUNAI", "Parkir Tepi Jalan Nontunai", "perangkat_daerah",
        "juru parkir liar dan kendaraan yang parkir sembarangan hingga memicu macet",
        "Juru parkir resmi dibekali mesin pembayaran elektronik | Ruas jalan larangan parkir ditandai | "
        "Kendaraan yang parkir di bahu jalan terlarang diderek",
        "arus lalu lintas di pusat kota lebih lancar"),
    _sc(_IT, "KIR ONLINE", "Uji Berkala Kendaraan Daring", "perangkat_daerah",
        "antrean panjang angkutan barang di tempat uji kendaraan bermotor",
        "Pemilik kendaraan mendaftar jadwal uji berkala secara daring | Hasil uji rem, lampu dan emisi tercatat "
        "elektronik | Kartu uji berbentuk kartu pintar",
        "waktu uji kendaraan menjadi tiga puluh menit"),
    _sc(_IT, "ZOSS", "Zona Selamat Sekolah", "sd perangkat_daerah",
        "anak-anak yang menyeberang jalan raya di depan sekolah tanpa pengaman",
        "Marka zebra cross dan rambu batas kecepatan dipasang di depan sekolah | Guru piket dan petugas "
        "perhubungan menyeberangkan siswa | Trotoar diperlebar bagi pejalan kaki",
        "tidak ada kecelakaan lalu lintas siswa di depan sekolah"),
    _sc(_IT, "AIR MENGALIR", "Air Bersih Mengalir ke Permukiman", "kelurahan perangkat_daerah",
        "warga permukiman padat yang membeli air jeriken",
        "Jaringan pipa air bersih disambungkan ke rumah-rumah warga | Tandon air komunal dibangun di lahan RW | "
        "Meteran air dipasang untuk setiap rumah",
        "seluruh rumah di permukiman mendapat sambungan air bersih"),
    # ketertiban dan kebencanaan
    _sc(_B, "DAMKAR SIGAP", "Pemadam Kebakaran Sigap Lima Belas Menit", "perangkat_daerah",
        "api yang cepat membesar karena mobil pemadam terlambat datang",
        "Pos pemadam kebakaran pembantu dibangun di setiap kecamatan | Laporan kebakaran diterima melalui "
        "panggilan darurat | Warga dilatih memadamkan api dengan alat pemadam api ringan",
        "waktu tanggap kebakaran kurang dari lima belas menit"),
    _sc(_B, "KELURAHAN TANGGUH", "Kelurahan Tangguh Menghadapi Bencana", "kelurahan",
        "banjir luapan sungai dan tanah longsor di bantaran",
        "Relawan kebencanaan dibentuk dan dilatih evakuasi | Jalur evakuasi dan titik kumpul dipasang | Alat "
        "peringatan dini ketinggian air sungai dipasang",
        "tidak ada korban jiwa saat banjir terakhir"),
    _sc(_B, "SEKOLAH SIAGA", "Sekolah Siaga Gempa dan Kebakaran", "sd smp",
        "siswa dan guru yang panik dan tidak tahu harus berbuat apa saat gempa",
        "Simulasi evakuasi gempa diadakan setiap semester | Siswa berlatih berlindung di bawah meja lalu menuju "
        "titik kumpul | Alat pemadam api ringan dipasang di setiap lantai",
        "seluruh warga sekolah dapat dievakuasi dalam tiga menit"),
    _sc(_B, "PKL TERTIB", "Penataan Pedagang Kaki Lima Humanis", "perangkat_daerah kelurahan",
        "pedagang kaki lima yang berjualan di trotoar dan melanggar perda",
        "Satpol PP melakukan pendekatan persuasif kepada pedagang kaki lima | Pedagang direlokasi ke lokasi "
        "resmi | Patroli penegakan perda rutin dilakukan",
        "trotoar kembali bebas dari lapak pedagang liar"),
    _sc(_B, "RONDA PINTAR", "Ronda Malam Pintar Berbasis Aplikasi", "kelurahan",
        "pencurian kendaraan bermotor dan gangguan keamanan di malam hari",
        "Jadwal ronda warga diatur dan absensinya dicatat | Tombol darurat terhubung dengan pos kamling dan "
        "Babinsa | Kamera pengawas dipasang di gang masuk kampung",
        "kasus pencurian di kampung tidak terjadi lagi"),
    _sc(_B, "EWS LONGSOR", "Peringatan Dini Tanah Longsor", "perangkat_daerah",
        "permukiman di lereng yang terancam longsor saat hujan ekstrem",
        "Alat pendeteksi pergerakan tanah dipasang di lereng | Sirene berbunyi saat ambang bahaya terlampaui | "
        "Warga mengungsi ke tempat aman sesuai rencana kontinjensi",
        "warga sempat mengungsi sebelum longsor terjadi"),
    _sc(_B, "POHON AMAN", "Penanganan Cepat Pohon Tumbang", "perangkat_daerah",
        "pohon tumbang yang menimpa kendaraan dan menutup jalan saat angin kencang",
        "Tim reaksi cepat dengan gergaji mesin siaga 24 jam | Pohon rapuh dipangkas sebelum musim hujan | Laporan "
        "kejadian darurat masuk melalui call center 112",
        "jalan yang tertutup pohon tumbang dibuka dalam satu jam"),
    _sc(_B, "TIM MEDIS SIAGA BENCANA", "Tim Gerak Cepat Tanggap Darurat Bencana", "puskesmas",
        "korban bencana banjir dan kebakaran yang tidak segera tertolong",
        "Tim gerak cepat diberangkatkan ke lokasi bencana dalam hitungan menit | Posko pengungsian dilengkapi "
        "layanan darurat | Latihan kesiapsiagaan bencana digelar bersama BPBD",
        "korban bencana tertangani sejak jam pertama kejadian"),
)

_HO_UNITS = {
    "kelurahan": _named("Kelurahan", malang.kelurahan("Lesanpuro", "Polehan", "Kotalama", "Bandungrejosari",
                                                      "Tunjungsekar", "Cemorokandang", "Oro-oro Dowo", "Madyopuro")),
    "puskesmas": _named("Puskesmas", malang.puskesmas("Kedungkandang", "Rampal Celaket", "Gribig", "Bareng",
                                                      "Polowijen", "Pandanwangi")),
    "smp": _smp_names(1, 4, 8, 13),
    "sd": _named("SD Negeri", malang.sd("Lowokwaru 3", "Bunulrejo 4", "Klojen", "Mergosono 1")),
}
_HO_AGENCIES = {
    _K: ("Dinas Kesehatan Kota Malang",), _P: ("Dinas Pendidikan dan Kebudayaan Kota Malang",
                                                  "Dinas Perpustakaan Umum dan Arsip Daerah"),
    _AK: ("Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil)",), _PD: ("Badan Pendapatan Daerah (Bapenda)",),
    _PA: ("Dinas Pemberdayaan Perempuan dan Perlindungan Anak",), _KS: ("Dinas Sosial Kota Malang",),
    _L: ("Dinas Lingkungan Hidup Kota Malang",), _E: ("Dinas Koperasi dan UMKM", "Dinas Tenaga Kerja"),
    _T: ("Badan Perencanaan Pembangunan Daerah", "Kecamatan Kedungkandang", "Dinas Komunikasi dan Informatika"),
    _I: ("Dinas Penanaman Modal dan PTSP",), _IT: ("Dinas Perhubungan Kota Malang", "Dinas PUPR Kota Malang"),
    _B: ("Badan Penanggulangan Bencana Daerah", "Satpol PP Kota Malang"),
}

# Home vocabulary of the proposer, whatever the theme.
_HO_CONTEXT = {
    "kelurahan": ("Lurah bersama ketua RT, ketua RW dan kader PKK menyepakati pelaksanaan inovasi ini.",
                  "Balai kelurahan menjadi pusat kegiatan dan tempat warga bertanya.",
                  "Staf kelurahan yang melayani surat-menyurat ikut dilibatkan sebagai admin.",
                  "Informasi disebarkan melalui grup WhatsApp RT dan RW serta pengeras suara musala."),
    "puskesmas": ("Kepala puskesmas menugaskan petugas lintas program sebagai tim inovasi.",
                  "Kegiatan melibatkan kader kesehatan dan bidan wilayah.",
                  "Ruang tunggu puskesmas dimanfaatkan untuk sosialisasi kepada pengunjung."),
    "smp": ("Kepala sekolah menetapkan tim inovasi dalam rapat dewan guru.",
            "Kegiatan melibatkan seluruh siswa kelas VII sampai IX, wali kelas dan pengurus OSIS.",
            "Komite sekolah dan paguyuban orang tua murid mendukung pelaksanaan kegiatan."),
    "sd": ("Kepala sekolah bersama guru kelas menyusun jadwal kegiatan.",
           "Seluruh siswa kelas I sampai VI terlibat dengan pendampingan wali kelas.",
           "Paguyuban orang tua siswa dan komite sekolah ikut mendukung."),
    "perangkat_daerah": ("Kepala dinas menetapkan tim pelaksana melalui surat keputusan.",
                         "Koordinasi dilakukan dengan kecamatan, kelurahan dan perangkat daerah terkait.",
                         "Bidang teknis dan subbagian umum berbagi tugas dalam pelaksanaannya."),
}

# Boilerplate that every proposal carries; it names apps, complaints, budgets and data on purpose.
_HO_BOILERPLATE = (
    "Inovasi ini dirancang pada awal tahun 2022 dan diuji coba selama tiga bulan sebelum diterapkan penuh.",
    "Layanan dapat diakses melalui aplikasi berbasis Android maupun situs web tanpa dipungut biaya.",
    "Sosialisasi dilakukan melalui media sosial Instagram, grup WhatsApp, dan spanduk di tempat strategis.",
    "Inovasi ini sejalan dengan visi Kota Malang yang bermartabat dan misi reformasi birokrasi.",
    "Pelaksanaan inovasi ditetapkan dengan surat keputusan dan dianggarkan dalam DPA.",
    "Hasil survei kepuasan menunjukkan sebagian besar responden merasa puas.",
    "Kendala yang dihadapi antara lain keterbatasan anggaran dan sumber daya manusia.",
    "Evaluasi dilaksanakan setiap triwulan untuk memperbaiki kekurangan.",
    "Inovasi ini telah direplikasi oleh beberapa unit lain di lingkungan Pemerintah Kota Malang.",
    "Ke depan, data inovasi akan diintegrasikan dengan aplikasi milik Pemerintah Kota Malang.",
    "Pandemi COVID-19 menuntut cara-cara baru agar pelayanan tetap berjalan dengan aman.",
    "Inovasi ini mendukung pencapaian tujuan pembangunan berkelanjutan.",
    "Pengaduan dan saran warga terkait inovasi dapat disampaikan melalui SAMBAT Online.",
    "Keberhasilan inovasi tidak lepas dari dukungan pimpinan dan partisipasi aktif warga.",
    "Data capaian dicatat setiap bulan dan dilaporkan kepada pimpinan.",
)

# Text extracted from a PDF often starts with the cover and a foreword before the summary.
_HO_COVER = ("KOMPETISI INOVASI PELAYANAN PUBLIK (KIPP) KOTA MALANG TAHUN 2022", "PROPOSAL INOVASI PELAYANAN PUBLIK",
             "PEMERINTAH KOTA MALANG")
_HO_FOREWORD = (
    "Kata Pengantar",
    "Puji syukur kami panjatkan ke hadirat Tuhan Yang Maha Esa atas rahmat-Nya sehingga proposal ini dapat "
    "diselesaikan. Proposal ini disusun untuk mengikuti kompetisi inovasi pelayanan publik. Kami mengucapkan "
    "terima kasih kepada semua pihak yang telah membantu. Semoga proposal ini bermanfaat bagi peningkatan "
    "kualitas pelayanan publik.",
)

_HO_TITLES = ("{acr}: {exp}", "{acr} ({exp})", "Inovasi {acr} - {exp} di {unit}", "{exp} ({acr})",
              "PROPOSAL INOVASI {acr_upper}")


@dataclass(frozen=True, slots=True)
class HeldOutProposal:
    theme: str
    category: str
    title: str
    text: str


def _held_out_one(sc: _Scenario, rng: random.Random, hard: bool = False) -> HeldOutProposal:
    category = rng.choice(sc.categories)
    unit = rng.choice(_HO_AGENCIES[sc.theme] if category == "perangkat_daerah" else _HO_UNITS[category])
    title = rng.choice(_HO_TITLES).format(acr=sc.acronym, exp=sc.expansion, unit=unit,
                                          acr_upper=sc.acronym.upper())
    if hard:
        return _held_out_terse(sc, rng, category, unit)
    boiler = list(_HO_BOILERPLATE)
    rng.shuffle(boiler)
    context = list(_HO_CONTEXT[category])
    rng.shuffle(context)
    steps = list(sc.steps)
    n = rng.randint(2, 4)
    sections = [
        ("Ringkasan", [f"{sc.acronym} ({sc.expansion}) adalah inovasi {unit} untuk mengatasi {sc.problem}.",
                       steps[0] + ".", boiler[0]]),
        ("Latar Belakang", [boiler[1], f"Selama ini masih dijumpai {sc.problem}.", context[0], boiler[2]]),
        ("Tujuan", [f"Inovasi {sc.acronym} bertujuan agar {sc.outcome}.", boiler[3]]),
        ("Langkah Pelaksanaan", [s + "." for s in steps[1:]] + [context[-1], boiler[4]]),
        ("Hasil", [f"Setelah berjalan {rng.randint(6, 30)} bulan, {sc.outcome}.", boiler[5], boiler[6]]),
        ("Keberlanjutan", boiler[7:7 + n]),
    ]
    paragraphs: list[str] = []
    if rng.random() < 0.5:
        paragraphs += [*_HO_COVER[: rng.randint(1, 3)], title, unit, "TAHUN 2022"]
        if rng.random() < 0.6:
            paragraphs += list(_HO_FOREWORD)
    for heading, sentences in sections:
        if heading not in ("Ringkasan", "Langkah Pelaksanaan") and rng.random() < 0.15:
            continue  # real proposals skip sections
        paragraphs.append(heading)
        paragraphs.append(" ".join(sentences))
    return HeldOutProposal(sc.theme, category, title, "\n".join(paragraphs))


def _held_out_terse(sc: _Scenario, rng: random.Random, category: str, unit: str) -> HeldOutProposal:
    """A terse proposal: acronym-only title, a summary of boilerplate, the innovation said once in passing."""
    boiler = list(_HO_BOILERPLATE)
    rng.shuffle(boiler)
    step = rng.choice(sc.steps)
    paragraphs = [
        "Ringkasan", f"{sc.acronym} adalah inovasi {unit}. {boiler[0]} {boiler[1]}",
        "Latar Belakang", f"{boiler[2]} Kami melihat masih adanya {sc.problem}. {rng.choice(_HO_CONTEXT[category])}",
        "Pelaksanaan", f"{step}. {boiler[3]} {boiler[4]}",
        "Hasil", f"{boiler[5]} {boiler[6]}",
    ]
    title = rng.choice((sc.acronym, f"PROPOSAL INOVASI {sc.acronym}", f"Inovasi {sc.acronym}"))
    return HeldOutProposal(sc.theme, category, title, "\n".join(paragraphs))


def build_held_out(n_per_theme: int = 20, seed: int = 7, themes: Sequence[str] | None = None,
                   hard: bool = False) -> list[HeldOutProposal]:
    """`n_per_theme` realistic proposals per theme, cycling over that theme's scenarios with new proposers.

    `hard` makes them terse (acronym titles, the innovation said once among boilerplate): a stress test and
    the set on which the needs-review flag is measured, since full proposals leave too few errors to count.
    """
    rng = random.Random(seed)
    out: list[HeldOutProposal] = []
    by_theme: dict[str, list[_Scenario]] = {}
    for sc in _SCENARIOS:
        by_theme.setdefault(sc.theme, []).append(sc)
    for theme, scenarios in by_theme.items():
        if themes is not None and theme not in themes:
            continue
        for i in range(n_per_theme):
            out.append(_held_out_one(scenarios[i % len(scenarios)], rng, hard))
    return out


# ------------------------------------------------------------------------------- public innovations set
# Real, non-generated innovation descriptions (models/data/themes_public_innovations.json), written from
# memory of public innovations (its note says how): the held-out set nobody tunes on. Frozen by its digest;
# a changed file is refused rather than measured as if it were the same set.

PUBLIC_PATH = SEED_PATH.parent / "themes_public_innovations.json"
PUBLIC_SHA256 = "1254f3d81544502fb4455296b59c14ad45f8e1530f91c40781f8d813ca1a823f"


@dataclass(frozen=True, slots=True)
class PublicInnovation:
    """One public innovation: what the classifier reads (name as title, description as text) and where it came from."""

    theme: str
    category: str
    title: str
    text: str
    agency: str
    source: str


def build_public(path: Path = PUBLIC_PATH) -> list[PublicInnovation]:
    """The frozen public-innovations set; ValueError when the file is not the frozen one."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PUBLIC_SHA256:
        raise ValueError(f"{path}: sha256 {digest[:12]}..., not the frozen set {PUBLIC_SHA256[:12]}...; "
                         "write a new held-out set instead of editing this one")
    return [PublicInnovation(e["theme"], e["category"], e["name"], e["description"], e["agency"], e["source"])
            for e in json.loads(data)["entries"]]


if __name__ == "__main__":
    print(write_seed())
