"""A generated corpus of KIPP proposals with known copies, for measuring duplicate detection
(`kipp bench duplicates`, flows/bench/duplicates.py, and tests/models/test_duplicates.py).

The generated names are realistic (popular acronyms such as SIMPEL spelt out differently by many
units, names written in several forms, generic titles), with planted pairs that share the whole
name and pairs that share only an acronym.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace

from flows.corpora import malang
from models.duplicates import DocText, DuplicateKind
from models.records import DocType, InputFormat

# --------------------------------------------------------------------------- word lists

# Kota Malang's kelurahan, two of them written in two words as proposals often do.
_MALANG = tuple(malang.WRITTEN_APART.get(place, place) for place in malang.PLACES)
# Provincial and national editions bring units from elsewhere.
_ELSEWHERE = (
    "Sumberpucung", "Kepanjen", "Lawang", "Singosari", "Pakis", "Tumpang", "Dampit", "Turen", "Gondanglegi",
    "Bululawang", "Wagir", "Dau", "Karangploso", "Pujon", "Ngantang", "Kasembon", "Junrejo", "Bumiaji",
    "Sisir", "Temas", "Ngaglik", "Pesanggrahan", "Sananwetan", "Sukorejo", "Kepanjenkidul", "Mojoroto",
    "Pesantren", "Kartoharjo", "Taman", "Manguharjo", "Prajuritkulon", "Magersari", "Kademangan",
    "Mayangan", "Wonoasih", "Kanigaran", "Gadingrejo", "Bugulkidul", "Panggungrejo", "Purworejo",
    "Genteng", "Tegalsari", "Gubeng", "Wonokromo", "Rungkut", "Tandes", "Benowo", "Lakarsantri",
    "Sukolilo", "Mulyorejo Timur", "Kenjeran", "Semampir", "Krembangan", "Bubutan", "Sawahan",
    "Wiyung", "Karangpilang", "Jambangan", "Gayungan", "Wonocolo", "Tenggilis", "Gunung Anyar",
    "Sidoarjo", "Candi", "Porong", "Krian", "Taman Sari", "Waru", "Buduran", "Sedati", "Gedangan",
    "Bangil", "Pandaan", "Prigen", "Purwosari", "Sukorejo Wetan", "Gempol", "Beji", "Rembang",
)
_DINAS = (
    ("Dinas Kependudukan dan Pencatatan Sipil", "admin"), ("Badan Pendapatan Daerah", "pd"),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "pd"), ("Dinas Lingkungan Hidup", "admin"),
    ("Dinas Perhubungan", "pd"), ("Dinas Sosial", "admin"), ("Dinas Komunikasi dan Informatika", "pd"),
    ("Dinas Tenaga Kerja", "pd"), ("Badan Penanggulangan Bencana Daerah", "pd"), ("Dinas Kesehatan", "sehat"),
    ("Dinas Koperasi dan Usaha Mikro", "pd"), ("Dinas Ketahanan Pangan dan Pertanian", "pd"),
    ("Dinas Perpustakaan Umum dan Arsip Daerah", "didik"), ("Kecamatan", "admin"),
)

_DOMAINS: dict[str, dict[str, tuple[str, ...]]] = {
    "sehat": {
        "svc": ("pelayanan poli umum", "pemeriksaan ibu hamil", "imunisasi dasar lengkap", "pelayanan rawat jalan",
                "skrining penyakit tidak menular", "pemantauan tumbuh kembang balita", "pelayanan kesehatan gigi",
                "pengambilan obat di apotek", "konseling gizi", "pelayanan keluarga berencana",
                "pemeriksaan laboratorium sederhana", "pelayanan lansia di posyandu", "penanganan stunting",
                "pelayanan rujukan", "deteksi dini tuberkulosis", "pelayanan kesehatan jiwa",
                "pemeriksaan kesehatan calon pengantin", "pelayanan kesehatan peduli remaja"),
        "grp": ("pasien lansia", "ibu hamil", "orang tua balita", "remaja putri", "pasien BPJS",
                "penderita hipertensi", "penderita diabetes", "kader posyandu", "ibu menyusui",
                "warga berisiko tinggi", "penyandang disabilitas", "pekerja informal", "calon pengantin",
                "pasien penyakit kronis"),
        "prob": ("waktu tunggu pasien yang lebih dari dua jam", "antrian yang menumpuk sejak pagi hari",
                 "rendahnya cakupan imunisasi di wilayah kerja", "masih tingginya angka stunting",
                 "rendahnya kepatuhan pasien minum obat", "pencatatan kunjungan yang masih manual",
                 "keterlambatan proses rujukan", "kurangnya pemahaman tentang gizi seimbang",
                 "jarak rumah warga ke fasilitas kesehatan yang jauh", "keterbatasan jumlah tenaga kesehatan",
                 "rendahnya kunjungan ibu hamil ke fasilitas kesehatan", "data sasaran yang tidak mutakhir"),
        "place": ("ruang tunggu puskesmas", "posyandu balita", "posyandu lansia", "puskesmas pembantu",
                  "ruang pendaftaran", "balai RW", "poskesdes", "ruang KIA"),
        "errand": ("mengambil nomor antrian", "menanyakan jadwal imunisasi", "mengambil hasil laboratorium",
                   "memperpanjang rujukan", "mengambil obat rutin", "mendaftar pemeriksaan"),
    },
    "didik": {
        "svc": ("layanan perpustakaan sekolah", "pembelajaran literasi", "pendampingan belajar siswa",
                "layanan administrasi siswa", "bimbingan konseling", "penerimaan peserta didik baru",
                "pembinaan karakter", "kegiatan ekstrakurikuler", "komunikasi dengan orang tua",
                "penilaian hasil belajar", "layanan kantin sehat", "pembelajaran numerasi",
                "pengelolaan sampah sekolah", "layanan usaha kesehatan sekolah", "layanan legalisasi ijazah",
                "pembelajaran sains berbasis proyek"),
        "grp": ("siswa kelas rendah", "siswa berkebutuhan khusus", "orang tua siswa", "guru kelas",
                "wali murid", "siswa kelas akhir", "tenaga kependidikan", "pengurus komite sekolah",
                "siswa berprestasi", "siswa yang tertinggal pelajaran", "alumni sekolah", "siswa baru"),
        "prob": ("rendahnya minat baca siswa", "kemampuan numerasi siswa yang belum merata",
                 "komunikasi dengan orang tua yang belum efektif", "keterlambatan pembagian laporan hasil belajar",
                 "kurangnya koleksi buku bacaan", "banyaknya siswa yang terlambat datang",
                 "pengelolaan sampah sekolah yang belum tertata", "antrian legalisasi ijazah yang panjang",
                 "kurangnya ruang belajar yang nyaman", "rendahnya partisipasi orang tua dalam kegiatan sekolah",
                 "perundungan antarsiswa", "kebiasaan jajan yang tidak sehat"),
        "place": ("ruang perpustakaan", "ruang kelas", "halaman sekolah", "ruang guru", "kantin sekolah",
                  "ruang tata usaha", "pojok baca", "ruang UKS"),
        "errand": ("menanyakan perkembangan belajar anak", "mengambil laporan hasil belajar",
                   "mengurus surat pindah sekolah", "meminjam buku", "melegalisasi ijazah",
                   "mengumpulkan tugas"),
    },
    "admin": {
        "svc": ("pelayanan surat pengantar", "perekaman KTP elektronik", "perubahan kartu keluarga",
                "pengurusan akta kelahiran", "legalisasi dokumen", "surat keterangan domisili",
                "surat keterangan tidak mampu", "pendataan warga pindah datang", "pelayanan pengaduan warga",
                "pengelolaan bank sampah", "pemutakhiran data bantuan sosial", "pelayanan izin keramaian",
                "pencatatan kematian", "pelayanan surat keterangan usaha", "pengangkutan sampah rumah tangga"),
        "grp": ("warga lanjut usia", "ketua RT dan RW", "warga pendatang", "pelaku UMKM",
                "keluarga penerima manfaat", "pemuda karang taruna", "ibu rumah tangga", "penyandang disabilitas",
                "warga kurang mampu", "pasangan usia subur", "mahasiswa pendatang", "pengurus bank sampah"),
        "prob": ("warga harus datang berulang kali ke kantor", "berkas persyaratan yang sering tidak lengkap",
                 "jam layanan yang bersamaan dengan jam kerja warga", "data kependudukan yang belum mutakhir",
                 "sampah yang menumpuk di tepi jalan", "informasi persyaratan yang sulit diperoleh",
                 "antrian panjang pada awal bulan", "bantuan sosial yang tidak tepat sasaran",
                 "lambatnya tindak lanjut pengaduan warga", "arsip surat yang tersimpan tidak teratur",
                 "warga lansia yang kesulitan datang ke kantor", "biaya transportasi yang memberatkan warga"),
        "place": ("kantor kelurahan", "balai RW", "ruang pelayanan", "pos kamling", "balai warga",
                  "rumah ketua RT", "kantor kecamatan", "taman kelurahan"),
        "errand": ("meminta surat pengantar", "menyerahkan berkas", "menanyakan persyaratan",
                   "mengambil dokumen yang sudah jadi", "melaporkan perubahan data", "mengadukan masalah lingkungan"),
    },
    "pd": {
        "svc": ("penerbitan izin usaha", "pelayanan perizinan berusaha", "pengujian kendaraan bermotor",
                "penanganan pengaduan masyarakat", "pelayanan data statistik", "pembayaran pajak daerah",
                "penyaluran bantuan sosial", "pelatihan tenaga kerja", "pendampingan UMKM",
                "pelayanan informasi publik", "penanganan kedaruratan bencana", "pendaftaran pencari kerja",
                "pelayanan parkir", "pengawasan pangan segar", "pelayanan konsultasi investasi"),
        "grp": ("pelaku usaha", "wajib pajak", "pencari kerja", "pemilik kendaraan", "masyarakat umum",
                "pelaku UMKM", "calon investor", "warga terdampak bencana", "penerima bantuan sosial",
                "pengemudi angkutan umum", "petani", "pedagang pasar"),
        "prob": ("proses perizinan yang memakan waktu berminggu-minggu", "tingginya tunggakan pajak daerah",
                 "informasi layanan yang tersebar di banyak tempat", "berkas permohonan yang hilang",
                 "lambatnya respons terhadap laporan kedaruratan", "rendahnya kepatuhan wajib pajak",
                 "pencari kerja yang tidak terdata", "pungutan liar dalam pelayanan",
                 "data penerima bantuan yang ganda", "antrian pengujian kendaraan yang panjang",
                 "minimnya akses pelaku usaha terhadap pelatihan", "harga pangan yang tidak terpantau"),
        "place": ("mal pelayanan publik", "loket pelayanan", "ruang konsultasi", "unit pelaksana teknis",
                  "pos pelayanan terpadu", "kantor dinas", "gerai pelayanan", "pasar rakyat"),
        "errand": ("menanyakan status permohonan", "melengkapi berkas", "membayar retribusi",
                   "mengambil dokumen izin", "berkonsultasi dengan petugas", "melaporkan kejadian"),
    },
}

_TOOLS = (
    "aplikasi berbasis Android", "layanan WhatsApp", "formulir daring", "situs web resmi", "kode QR",
    "SMS gateway", "papan informasi digital", "mesin antrian elektronik", "dasbor pemantauan",
    "akun Instagram resmi", "layanan panggilan telepon", "kotak saran elektronik", "Google Form",
    "bot Telegram", "grup WhatsApp RT", "kanal YouTube", "layar informasi di ruang tunggu",
)
_PARTNERS = (
    "ketua RT dan RW", "kader PKK", "Lembaga Pemberdayaan Masyarakat Kelurahan", "Babinsa",
    "Bhabinkamtibmas", "tokoh agama", "karang taruna", "perguruan tinggi setempat",
    "Dinas Komunikasi dan Informatika", "komite sekolah", "puskesmas pembantu", "forum anak",
    "bank daerah", "relawan desa digital", "organisasi profesi", "pihak kecamatan",
    "dunia usaha melalui dana CSR", "paguyuban pedagang", "forum kesehatan kelurahan",
)
_GOALS = (
    "memangkas waktu tunggu pelayanan", "meningkatkan cakupan layanan", "mendekatkan layanan kepada warga",
    "meningkatkan transparansi proses pelayanan", "mengurangi biaya yang dikeluarkan warga",
    "memudahkan pemantauan oleh pimpinan", "meningkatkan partisipasi masyarakat",
    "menyediakan data yang akurat dan mutakhir", "mencegah praktik pungutan liar",
    "memberi kepastian waktu penyelesaian layanan", "meningkatkan kepuasan pengguna layanan",
    "membangun kebiasaan baik sejak dini", "menjangkau kelompok rentan yang selama ini terlewat",
)
_BENEFITS = (
    "waktu yang lebih singkat", "kepastian jadwal layanan", "biaya transportasi yang lebih rendah",
    "informasi yang mudah diperoleh", "pelayanan yang lebih ramah", "proses yang lebih transparan",
    "kesempatan menyampaikan keluhan kapan saja", "rasa aman dan nyaman", "data yang dapat dipertanggungjawabkan",
    "layanan tanpa harus meninggalkan pekerjaan", "pendampingan yang berkelanjutan",
)
_OBSTACLES = (
    "keterbatasan jaringan internet di beberapa wilayah", "sebagian warga belum terbiasa menggunakan telepon pintar",
    "anggaran pemeliharaan yang terbatas", "pergantian petugas yang cukup sering",
    "resistensi dari sebagian petugas terhadap cara kerja baru", "data awal yang belum lengkap",
    "kurangnya sosialisasi pada tahap awal", "perangkat keras yang sering mengalami gangguan",
    "jadwal kegiatan yang berbenturan dengan agenda lain", "rendahnya literasi digital pengguna",
)
_SOLUTIONS = (
    "pelatihan singkat bagi kader dan relawan", "pendampingan langsung di lokasi layanan",
    "kerja sama dengan penyedia jaringan", "penyusunan panduan bergambar yang mudah dipahami",
    "penjadwalan ulang kegiatan bersama mitra", "pembagian tugas yang lebih jelas antarpetugas",
    "penyediaan perangkat cadangan", "sosialisasi melalui pertemuan warga dan media sosial",
)
_INSTRUMENTS = (
    "surat keputusan kepala unit", "standar operasional prosedur yang telah ditetapkan",
    "alokasi anggaran rutin setiap tahun", "kaderisasi petugas pengelola", "nota kesepahaman dengan mitra",
    "integrasi ke dalam rencana kerja tahunan", "peraturan wali kota tentang layanan terkait",
)
_EQUIPMENT = (
    "komputer", "printer", "telepon pintar", "tablet", "jaringan internet", "pengeras suara", "layar monitor",
    "kursi tunggu", "meja layanan", "kamera", "proyektor", "lemari arsip", "sepeda motor operasional",
)
_CHANNELS = ("media sosial", "spanduk di titik strategis", "pertemuan rutin warga", "grup percakapan",
             "radio komunitas", "surat edaran", "siaran keliling", "papan pengumuman")
_FUNDS = ("APBD Kota Malang", "dana operasional unit", "Bantuan Operasional Kesehatan", "dana BOS",
          "dana kelurahan", "swadaya masyarakat", "dana CSR perusahaan")
_FREQ = ("minggu", "bulan", "triwulan", "semester", "dua bulan")
_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember")
_TRAININGS = ("pelayanan prima", "penggunaan aplikasi", "komunikasi efektif", "pengelolaan data",
              "penanganan pengaduan", "budaya kerja")
_PLANS = ("mengembangkan fitur pembayaran nontunai", "memperluas layanan ke seluruh RW",
          "mengintegrasikan data dengan sistem milik pemerintah kota", "menambah jam layanan pada akhir pekan",
          "melibatkan lebih banyak relawan", "menyusun modul pelatihan bagi unit lain",
          "menambahkan fitur pengingat otomatis")
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu")
_POOLS = {
    "goal": _GOALS, "benefit": _BENEFITS, "obstacle": _OBSTACLES, "solution": _SOLUTIONS,
    "instrument": _INSTRUMENTS, "equip": _EQUIPMENT, "channel": _CHANNELS, "fund": _FUNDS, "freq": _FREQ,
    "month": _MONTHS, "day": _DAYS, "training": _TRAININGS, "plan": _PLANS,
}
_CONNECTORS = ("Selain itu, ", "Oleh karena itu, ", "Di samping itu, ", "Dengan demikian, ", "Sementara itu, ",
               "Dalam pelaksanaannya, ", "Lebih lanjut, ", "Pada praktiknya, ", "Di lapangan, ")

# --------------------------------------------------------------------------- sentence templates

_INOVASI_SECTIONS: dict[str, tuple[str, ...]] = {
    "A. Latar Belakang": (
        "{unit} melayani sekitar {n} {grp} setiap bulan, namun {prob} masih menjadi keluhan utama.",
        "Selama ini {svc} di {unit} masih dilakukan secara manual sehingga {prob}.",
        "Berdasarkan data tahun {year}, tercatat {n} keluhan terkait {svc} yang sebagian besar menyangkut {prob}.",
        "Kondisi tersebut membuat {grp} harus datang berulang kali ke {place} hanya untuk {errand}.",
        "Hasil survei kepuasan masyarakat semester {sem} tahun {year} menunjukkan nilai unsur {svc} hanya {score}.",
        "Permasalahan ini semakin terasa ketika jumlah {grp} meningkat hingga {pct} persen pada {period}.",
        "Petugas {unit} yang berjumlah {small} orang harus menangani {svc} sekaligus {svc}.",
        "Keluhan yang paling sering disampaikan oleh {grp} adalah {prob}.",
        "Sebagian besar {grp} sebenarnya sudah memiliki telepon pintar dan terbiasa menggunakan {tool}.",
        "Kami menilai bahwa {prob} berdampak langsung pada kepercayaan masyarakat terhadap {unit}.",
        "Rata-rata seorang warga membutuhkan waktu {dur} untuk menyelesaikan {svc} di {place}.",
        "Pada tahun {year} hanya {pct} persen {grp} yang terjangkau oleh {svc}.",
    ),
    "B. Permasalahan": (
        "Akar masalah yang kami temukan adalah {prob} dan {prob}.",
        "Analisis tulang ikan yang dilakukan bersama {partner} menunjukkan bahwa {prob} menjadi penyebab dominan.",
        "Masalah ini paling banyak dialami oleh {grp} yang tinggal jauh dari {place}.",
        "Tanpa perubahan cara kerja, {prob} diperkirakan akan terus berulang setiap {freq}.",
        "Petugas di {place} mencatat rata-rata {n} {grp} datang setiap hari hanya untuk {errand}.",
        "Dari {n} pengaduan yang masuk pada tahun {year}, sebanyak {pct} persen berkaitan dengan {svc}.",
        "Keterbatasan informasi membuat {grp} tidak mengetahui persyaratan {svc} sebelum datang.",
        "Pimpinan {unit} juga kesulitan memantau kinerja {svc} karena data tersebar di beberapa buku register.",
    ),
    "C. Tujuan dan Manfaat": (
        "Inovasi {acr} bertujuan untuk {goal} bagi {grp}.",
        "Tujuan utama {inov} adalah {goal} tanpa harus {errand} secara langsung.",
        "Secara khusus, inovasi ini diharapkan mampu {goal} dalam waktu {dur}.",
        "Manfaat yang dirasakan oleh {grp} antara lain {benefit} dan {benefit}.",
        "Bagi {unit}, inovasi ini membantu {goal} sekaligus {goal}.",
        "Inovasi {acr} juga diharapkan dapat {goal} melalui pemanfaatan {tool}.",
        "Dengan adanya {acr}, {grp} memperoleh {benefit} setiap kali membutuhkan {svc}.",
    ),
    "D. Tahapan Pelaksanaan": (
        "Pada tahap awal, tim {acr} melakukan identifikasi masalah bersama {partner} pada bulan {month} {year}.",
        "Tahap berikutnya adalah penyusunan standar operasional prosedur yang memuat {small} langkah pelayanan.",
        "Tim kemudian mengembangkan {tool} yang dapat diakses oleh {grp} selama {hours} jam sehari.",
        "Uji coba dilaksanakan di {place} selama {dur} dengan melibatkan {n} {grp}.",
        "Sosialisasi dilakukan melalui {channel} serta pertemuan rutin bersama {partner}.",
        "Setiap {grp} cukup mengirimkan permohonan melalui {tool}, "
        "kemudian petugas menindaklanjuti paling lambat {dur}.",
        "Evaluasi dilakukan setiap {freq} oleh kepala {unit} bersama {partner}.",
        "Pada bulan {month} {year}, {inov} resmi diluncurkan oleh camat dan disaksikan oleh {partner}.",
        "Petugas mencatat setiap permohonan dalam {tool} sehingga status layanan dapat dipantau oleh {grp}.",
        "Untuk {grp} yang tidak dapat datang, petugas melakukan kunjungan rumah setiap hari {day}.",
        "Data hasil pelayanan direkap setiap {freq} dan dilaporkan kepada {partner}.",
    ),
    "E. Sumber Daya": (
        "Inovasi ini didukung oleh {small} orang petugas yang telah mengikuti pelatihan {training}.",
        "Anggaran yang digunakan berasal dari {fund} sebesar Rp{money}.",
        "Sarana yang digunakan meliputi {equip}, {equip}, dan {equip}.",
        "Selain petugas, {inov} melibatkan {n} orang relawan dari unsur {partner}.",
        "Biaya pengembangan {tool} sebesar Rp{money} ditanggung oleh {fund}.",
        "Pengelolaan harian dilakukan oleh tim kecil yang terdiri atas {small} orang "
        "dengan pembagian tugas yang jelas.",
    ),
    "F. Hasil dan Dampak": (
        "Setelah inovasi berjalan, waktu {svc} turun dari {dur} menjadi {dur2}.",
        "Jumlah {grp} yang terlayani meningkat dari {n} orang pada tahun {year} menjadi {n2} orang.",
        "Nilai survei kepuasan masyarakat naik dari {score} menjadi {score2}.",
        "Keluhan terkait {svc} berkurang sebesar {pct} persen dibandingkan tahun sebelumnya.",
        "{inov} mendapat apresiasi dari {partner} dan telah diliput oleh media lokal.",
        "Biaya yang dikeluarkan warga untuk transportasi berkurang rata-rata Rp{money} per kunjungan.",
        "Cakupan {svc} mencapai {pct} persen pada akhir tahun {year}.",
        "Sebanyak {n} {grp} telah memanfaatkan {tool} sejak inovasi diluncurkan.",
        "Petugas kini dapat menyelesaikan {n} permohonan per hari, sebelumnya hanya {small} permohonan.",
    ),
    "G. Kendala dan Solusi": (
        "Kendala yang dihadapi antara lain {obstacle}.",
        "Untuk mengatasi hal tersebut, tim melakukan {solution}.",
        "Kendala lain adalah {obstacle}, yang diatasi melalui {solution}.",
        "Pada bulan {month} {year} sempat terjadi gangguan pada {tool} selama {small} hari.",
    ),
    "H. Keberlanjutan dan Replikasi": (
        "Keberlanjutan inovasi dijamin melalui {instrument}.",
        "Inovasi ini telah direplikasi oleh {n} unit lain pada tahun {year}.",
        "Ke depan, {unit} berencana {plan}.",
        "{acr} dapat direplikasi dengan mudah karena hanya membutuhkan {equip} dan {tool}.",
        "Komitmen pimpinan {unit} dituangkan dalam {instrument}.",
    ),
}

_KINERJA_SECTIONS: dict[str, tuple[str, ...]] = {
    "A. Profil Unit Penyelenggara": (
        "{unit} memiliki {n} pegawai yang terdiri atas {small} pejabat struktural dan pelaksana teknis.",
        "Wilayah layanan {unit} mencakup {small} RW dengan jumlah penduduk sekitar {n2} jiwa.",
        "Jenis layanan yang diselenggarakan meliputi {svc}, {svc}, dan {svc}.",
        "Jam pelayanan dibuka setiap hari kerja mulai pukul {clock} hingga pukul {clock2}.",
        "{unit} menempati gedung dengan ruang pelayanan seluas {small}0 meter persegi.",
    ),
    "B. Capaian Kinerja": (
        "Pada tahun {year}, {unit} melayani {n2} permohonan {svc}.",
        "Indeks kepuasan masyarakat {unit} tahun {year} sebesar {score} dengan mutu pelayanan baik.",
        "Persentase penyelesaian {svc} tepat waktu mencapai {pct} persen.",
        "Jumlah pengaduan yang diterima sebanyak {n} pengaduan dan seluruhnya telah ditindaklanjuti.",
        "Capaian {svc} meningkat {pct} persen dibandingkan tahun sebelumnya.",
        "Waktu rata-rata penyelesaian {svc} adalah {dur}.",
    ),
    "C. Pengelolaan Pengaduan": (
        "Pengaduan dapat disampaikan melalui {tool}, {tool}, atau datang langsung ke {place}.",
        "Setiap pengaduan dicatat dalam register dan dijawab paling lambat {dur}.",
        "Pengaduan terbanyak pada tahun {year} berkaitan dengan {prob}.",
        "Tindak lanjut pengaduan dilaporkan kepada pimpinan setiap {freq}.",
    ),
    "D. Sarana dan Prasarana": (
        "Ruang tunggu dilengkapi {equip}, {equip}, dan fasilitas bagi penyandang disabilitas.",
        "Tersedia {small} loket pelayanan dan {small} unit {equip}.",
        "Pada tahun {year} dilakukan perbaikan {place} dengan anggaran Rp{money}.",
        "Sarana pendukung bagi kelompok rentan meliputi kursi roda, jalur landai, dan ruang laktasi.",
    ),
    "E. Sistem Informasi dan Inovasi": (
        "Informasi standar pelayanan dipublikasikan melalui {tool} dan {channel}.",
        "{unit} mengembangkan {tool} untuk mempercepat {svc}.",
        "Data layanan direkap setiap {freq} dan dianalisis untuk perbaikan berkelanjutan.",
        "Inovasi pendukung yang dijalankan antara lain {inov} yang melayani {grp}.",
    ),
    "F. Rencana Tindak Lanjut": (
        "Pada tahun mendatang, {unit} berencana {plan}.",
        "Peningkatan kompetensi petugas dilakukan melalui pelatihan {training}.",
        "Hasil survei kepuasan akan ditindaklanjuti dengan {solution}.",
        "{unit} menargetkan indeks kepuasan masyarakat di atas {score2} pada tahun {year}.",
    ),
}

# --------------------------------------------------------------------------- template text

# Passages every Kinerja proposal repeats: the legal basis and the standard tables.
_REGULATIONS = (
    "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik menegaskan bahwa negara berkewajiban melayani "
    "setiap warga negara dan penduduk untuk memenuhi hak dan kebutuhan dasarnya dalam kerangka pelayanan publik "
    "yang merupakan amanat Undang-Undang Dasar Negara Republik Indonesia Tahun 1945. Penyelenggara wajib menyusun "
    "dan menetapkan standar pelayanan, menyusun dan menetapkan maklumat pelayanan, menempatkan pelaksana yang "
    "kompeten, menyediakan sarana, prasarana, dan fasilitas pelayanan publik yang mendukung terciptanya iklim "
    "pelayanan yang memadai, serta memberikan pelayanan yang berkualitas sesuai dengan asas penyelenggaraan "
    "pelayanan publik.",
    "Asas penyelenggaraan pelayanan publik meliputi kepentingan umum, kepastian hukum, kesamaan hak, keseimbangan "
    "hak dan kewajiban, keprofesionalan, partisipatif, persamaan perlakuan atau tidak diskriminatif, keterbukaan, "
    "akuntabilitas, fasilitas dan perlakuan khusus bagi kelompok rentan, ketepatan waktu, serta kecepatan, "
    "kemudahan, dan keterjangkauan. Asas-asas tersebut menjadi pedoman bagi setiap unit penyelenggara dalam "
    "merancang, melaksanakan, dan mengevaluasi pelayanan kepada masyarakat.",
    "Peraturan Pemerintah Nomor 96 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 25 Tahun 2009 tentang "
    "Pelayanan Publik mengatur ruang lingkup pelayanan publik, sistem pelayanan terpadu, pedoman penyusunan "
    "standar pelayanan, proporsi akses dan kategori kelompok masyarakat dalam pelayanan berjenjang, serta "
    "pengikutsertaan masyarakat dalam penyelenggaraan pelayanan publik. Peraturan ini juga menegaskan bahwa "
    "sistem pelayanan terpadu dilaksanakan dengan prinsip keterpaduan, ekonomis, koordinasi, pendelegasian atau "
    "pelimpahan wewenang, akuntabilitas, dan aksesibilitas.",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 15 Tahun 2014 tentang Pedoman "
    "Standar Pelayanan menetapkan bahwa standar pelayanan sekurang-kurangnya memuat komponen persyaratan, sistem, "
    "mekanisme, dan prosedur, jangka waktu pelayanan, biaya atau tarif, produk pelayanan, sarana, prasarana, dan "
    "fasilitas, kompetensi pelaksana, pengawasan internal, penanganan pengaduan, saran, dan masukan, jumlah "
    "pelaksana, jaminan pelayanan, jaminan keamanan dan keselamatan pelayanan, serta evaluasi kinerja pelaksana. "
    "Standar pelayanan disusun dengan mengikutsertakan masyarakat dan pihak terkait.",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 Tahun 2017 tentang Pedoman "
    "Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik mewajibkan setiap unit untuk "
    "melaksanakan survei kepuasan masyarakat secara berkala paling sedikit satu kali dalam setahun. Unsur yang "
    "diukur meliputi persyaratan, sistem, mekanisme, dan prosedur, waktu penyelesaian, biaya atau tarif, produk "
    "spesifikasi jenis pelayanan, kompetensi pelaksana, perilaku pelaksana, penanganan pengaduan, saran dan "
    "masukan, serta sarana dan prasarana.",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 17 Tahun 2017 tentang Pedoman "
    "Penilaian Kinerja Unit Penyelenggara Pelayanan Publik menetapkan aspek penilaian yang terdiri atas kebijakan "
    "pelayanan, profesionalisme sumber daya manusia, sarana dan prasarana, sistem informasi pelayanan publik, "
    "konsultasi dan pengaduan, serta inovasi. Hasil penilaian digunakan sebagai dasar pembinaan dan peningkatan "
    "kualitas pelayanan secara berkelanjutan.",
    "Peraturan Presiden Nomor 76 Tahun 2013 tentang Pengelolaan Pengaduan Pelayanan Publik mewajibkan "
    "penyelenggara untuk menyediakan sarana pengaduan, menetapkan pejabat pengelola pengaduan, serta menindaklanjuti "
    "setiap pengaduan secara cepat, tepat, tuntas, dan terkoordinasi. Pengelolaan pengaduan dilaksanakan melalui "
    "sistem pengelolaan pengaduan pelayanan publik nasional yang terintegrasi.",
    "Peraturan Wali Kota Malang tentang Standar Pelayanan Publik di Lingkungan Pemerintah Kota Malang mengatur "
    "kewajiban setiap perangkat daerah, kecamatan, kelurahan, dan unit pelaksana teknis untuk menetapkan, "
    "mempublikasikan, dan mengevaluasi standar pelayanan secara berkala. Peraturan tersebut juga mengatur "
    "penyelenggaraan kompetisi inovasi pelayanan publik sebagai sarana pembinaan dan penghargaan bagi unit "
    "penyelenggara yang berprestasi.",
)
_MAKLUMAT = (
    "Maklumat Pelayanan: Dengan ini kami menyatakan sanggup menyelenggarakan pelayanan sesuai standar pelayanan "
    "yang telah ditetapkan dan apabila tidak menepati janji ini, kami siap menerima sanksi sesuai peraturan "
    "perundang-undangan yang berlaku."
)
_STANDARD_COMPONENTS = (
    ("Persyaratan", "Dokumen yang harus dipenuhi oleh pemohon sesuai jenis layanan"),
    ("Sistem, mekanisme, dan prosedur",
     "Pemohon mengambil nomor antrian, menyerahkan berkas, diverifikasi, dan menerima produk layanan"),
    ("Jangka waktu pelayanan", "Sesuai dengan ketentuan pada masing-masing jenis layanan"),
    ("Biaya/tarif", "Tidak dipungut biaya kecuali yang diatur dalam peraturan daerah"),
    ("Produk pelayanan", "Dokumen atau layanan sesuai permohonan"),
    ("Penanganan pengaduan, saran, dan masukan",
     "Melalui kotak saran, layanan pesan, telepon, dan aplikasi pengaduan"),
    ("Sarana, prasarana, dan fasilitas",
     "Ruang tunggu, loket, komputer, printer, dan akses bagi penyandang disabilitas"),
    ("Kompetensi pelaksana", "Memahami peraturan, ramah, dan mampu mengoperasikan komputer"),
    ("Pengawasan internal", "Dilakukan oleh atasan langsung dan sistem pengendalian intern"),
    ("Jaminan pelayanan", "Pelayanan diberikan sesuai standar yang ditetapkan"),
    ("Jaminan keamanan dan keselamatan", "Kerahasiaan data dan keamanan dokumen pemohon dijamin"),
    ("Evaluasi kinerja pelaksana", "Dilakukan secara berkala setiap tahun"),
)
_SKM_UNSUR = ("Persyaratan", "Prosedur", "Waktu pelayanan", "Biaya/tarif", "Produk pelayanan",
              "Kompetensi pelaksana", "Perilaku pelaksana", "Penanganan pengaduan", "Sarana dan prasarana")

# One template that every school's Inovasi proposal follows.
_SCHOOL_TEMPLATE = {
    "A. Latar Belakang": (
        "Sekolah merupakan satuan pendidikan yang menyelenggarakan layanan pendidikan bagi peserta didik sesuai "
        "dengan Standar Nasional Pendidikan. Dalam rangka mewujudkan Profil Pelajar Pancasila, sekolah dituntut "
        "untuk memberikan layanan yang bermutu, inklusif, dan berpihak pada peserta didik, sekaligus melibatkan "
        "orang tua dan masyarakat sebagai mitra dalam proses pendidikan.",
        "Visi sekolah adalah terwujudnya peserta didik yang beriman, bertakwa, berakhlak mulia, berprestasi, "
        "berwawasan lingkungan, dan berbudaya. Misi sekolah meliputi penyelenggaraan pembelajaran yang aktif, "
        "kreatif, efektif, dan menyenangkan, pembinaan karakter melalui pembiasaan, pengembangan potensi peserta "
        "didik melalui kegiatan ekstrakurikuler, serta penguatan kerja sama dengan orang tua dan masyarakat.",
    ),
    "B. Permasalahan": (
        "Bagian ini menguraikan permasalahan layanan pendidikan yang dihadapi sekolah, akar masalah, serta "
        "dampaknya terhadap peserta didik, orang tua, dan warga sekolah lainnya. Permasalahan dirumuskan "
        "berdasarkan data dan hasil refleksi bersama guru, tenaga kependidikan, dan komite sekolah.",
    ),
    "C. Tujuan dan Manfaat": (
        "Implementasi Kurikulum Merdeka memberikan keleluasaan kepada satuan pendidikan untuk mengembangkan "
        "pembelajaran yang sesuai dengan kebutuhan dan karakteristik peserta didik. Inovasi pelayanan di sekolah "
        "diarahkan untuk mendukung pembelajaran yang berpusat pada peserta didik, menciptakan lingkungan belajar "
        "yang aman dan nyaman, serta meningkatkan partisipasi orang tua dalam pendidikan anak.",
    ),
    "D. Tahapan Pelaksanaan": (
        "Pelaksanaan inovasi mengikuti siklus perencanaan, pelaksanaan, pemantauan, dan evaluasi yang melibatkan "
        "kepala sekolah, guru, tenaga kependidikan, komite sekolah, dan orang tua. Setiap tahapan didokumentasikan "
        "dalam bentuk notulen, daftar hadir, foto kegiatan, dan laporan yang disusun secara berkala.",
        "Program Sekolah Ramah Anak menjadi landasan dalam setiap kegiatan, sehingga seluruh layanan sekolah "
        "memperhatikan pemenuhan hak anak, perlindungan dari kekerasan, diskriminasi, dan perlakuan salah "
        "lainnya, serta mendukung partisipasi anak dalam perencanaan, kebijakan, pembelajaran, dan pengawasan.",
    ),
    "F. Hasil dan Dampak": (
        "Keberhasilan inovasi diukur melalui indikator kuantitatif dan kualitatif yang telah ditetapkan sejak "
        "awal, antara lain peningkatan capaian belajar, kepuasan orang tua, kehadiran peserta didik, serta "
        "perubahan perilaku warga sekolah. Data dikumpulkan melalui angket, observasi, wawancara, dan dokumen "
        "administrasi sekolah.",
    ),
    "H. Keberlanjutan dan Replikasi": (
        "Penilaian inovasi dilakukan berdasarkan kriteria kebaruan, efektivitas, kemanfaatan, kemudahan untuk "
        "direplikasi, dan keberlanjutan. Sekolah berkomitmen untuk menjaga keberlanjutan inovasi melalui "
        "penganggaran dalam Rencana Kegiatan dan Anggaran Sekolah, penetapan tim pengelola, dan pembinaan "
        "berkelanjutan oleh pengawas sekolah serta Dinas Pendidikan dan Kebudayaan.",
    ),
}

# Words that authors choose differently: each generated document picks one of each, so unrelated
# documents built from the same sentence templates still read differently.
_VARIANTS: dict[str, tuple[str, ...]] = {
    "dilakukan": ("dilaksanakan", "dijalankan"), "petugas": ("pegawai", "staf"), "masyarakat": ("warga",),
    "meningkatkan": ("menaikkan", "memperbaiki"), "melalui": ("lewat", "dengan memanfaatkan"),
    "setiap": ("tiap", "masing-masing"), "sehingga": ("hingga", "yang membuat"), "selama": ("sepanjang",),
    "menunjukkan": ("memperlihatkan", "mengindikasikan"), "terkait": ("berkaitan dengan", "mengenai"),
    "kemudian": ("selanjutnya", "lalu"), "berikutnya": ("selanjutnya",), "meliputi": ("mencakup", "terdiri atas"),
    "mencapai": ("menyentuh", "sampai"), "berkurang": ("menurun", "turun"), "meningkat": ("naik", "bertambah"),
    "sebanyak": ("sejumlah",), "digunakan": ("dipakai", "dimanfaatkan"), "menggunakan": ("memakai", "memanfaatkan"),
    "membantu": ("memudahkan", "mendukung"), "bertujuan": ("dimaksudkan",),
    "diharapkan": ("ditargetkan", "diupayakan"),
    "utama": ("pokok", "terpenting"), "mengembangkan": ("membangun", "merancang"),
    "pelaksanaan": ("penerapan", "implementasi"), "tahap": ("fase", "langkah"), "awal": ("pertama", "permulaan"),
    "rutin": ("berkala", "reguler"), "cukup": ("hanya perlu", "tinggal"), "juga": ("turut",),
    "dapat": ("bisa", "mampu"), "mendapat": ("memperoleh", "menerima"), "jumlah": ("banyaknya", "total"),
    "sekitar": ("kurang lebih", "kira-kira"), "hanya": ("sekadar",), "harus": ("wajib", "perlu"),
    "datang": ("hadir", "berkunjung"), "keluhan": ("aduan", "komplain"), "kondisi": ("keadaan", "situasi"),
    "permasalahan": ("persoalan", "masalah"), "masalah": ("persoalan", "problem"),
    "kendala": ("hambatan", "tantangan"),
    "mengatasi": ("menangani", "menanggulangi"), "menangani": ("melayani", "mengurus"), "hasil": ("capaian",),
    "tercatat": ("terdata", "terekam"), "semakin": ("makin", "kian"), "ketika": ("saat", "manakala"),
    "sebenarnya": ("sesungguhnya", "pada dasarnya"), "terbiasa": ("sudah biasa",), "menilai": ("memandang",),
    "berdampak": ("berpengaruh",), "dilaksanakan": ("diselenggarakan", "dijalankan"),
    "melibatkan": ("mengikutsertakan", "menggandeng"), "sosialisasi": ("penyuluhan", "pengenalan"),
    "pertemuan": ("rapat", "forum"), "evaluasi": ("penilaian", "peninjauan"),
    "diluncurkan": ("diperkenalkan", "dimulai"),
    "mencatat": ("merekam", "mendata"), "dipantau": ("dilacak", "diawasi"), "direkap": ("dihimpun", "dikompilasi"),
    "dilaporkan": ("disampaikan",), "didukung": ("ditopang", "dibantu"), "mengikuti": ("menjalani",),
    "berasal": ("bersumber",), "sarana": ("fasilitas",), "pengelolaan": ("pengurusan", "manajemen"),
    "harian": ("sehari-hari",), "jelas": ("tegas", "terang"), "turun": ("menurun",), "naik": ("meningkat",),
    "terlayani": ("dilayani",), "apresiasi": ("penghargaan", "pujian"), "diliput": ("diberitakan", "dimuat"),
    "biaya": ("ongkos", "pengeluaran"), "dikeluarkan": ("dibelanjakan",), "cakupan": ("jangkauan",),
    "akhir": ("penghujung",), "sebelumnya": ("semula", "sebelum ini"),
    "menyelesaikan": ("merampungkan", "menuntaskan"),
    "gangguan": ("kerusakan", "masalah teknis"), "sempat": ("pernah",), "dijamin": ("dipastikan",),
    "direplikasi": ("ditiru", "diadopsi"), "berencana": ("berniat", "bermaksud"), "mudah": ("gampang",),
    "membutuhkan": ("memerlukan",), "dituangkan": ("dinyatakan", "ditetapkan"), "memiliki": ("mempunyai",),
    "wilayah": ("daerah", "kawasan"), "penduduk": ("warga",), "jenis": ("macam", "ragam"),
    "diselenggarakan": ("dilaksanakan",), "dibuka": ("tersedia",), "seluruhnya": ("semuanya",),
    "ditindaklanjuti": ("direspons", "diproses"), "dibandingkan": ("daripada",),
    "disampaikan": ("diajukan", "dikirimkan"),
    "dijawab": ("direspons", "ditanggapi"), "dilengkapi": ("disertai",), "tersedia": ("terdapat", "ada"),
    "perbaikan": ("renovasi", "pembenahan"), "dipublikasikan": ("diumumkan", "disebarluaskan"),
    "mempercepat": ("mempersingkat", "memacu"), "dianalisis": ("dikaji", "ditelaah"),
    "berkelanjutan": ("terus-menerus",), "peningkatan": ("penguatan", "pengembangan"),
    "mendatang": ("depan", "berikutnya"), "menargetkan": ("membidik", "mematok"), "pasien": ("pengunjung",),
    "tinggal": ("bermukim", "berdomisili"), "jauh": ("berjauhan",), "banyak": ("sering",),
    "sebagian": ("beberapa",), "besar": ("mayoritas",), "lain": ("lainnya",), "secara": ("dengan cara",),
    "tanpa": ("tanpa perlu",), "bersama": ("bersama-sama dengan",),
}
# Clauses an author adds to a sentence, before its full stop.
_TAILS = (
    ", terutama pada {period}", ", khususnya bagi {grp} di sekitar {place}", " sejak bulan {month} {year}",
    " dengan dukungan {partner}", ", sebagaimana dibahas dalam rapat tanggal {date}",
    ", sebagaimana tercatat dalam laporan bulan {month} {year}", " di {place}", " bersama {partner}",
    ", sesuai catatan register tahun {year}", ", meskipun {obstacle} masih dirasakan",
    " agar {grp} memperoleh {benefit}", ", dengan target {pct} persen pada tahun {year}",
)

# Words a copier swaps to make a sentence look like its own.
_SYNONYMS = {
    "meningkatkan": "menaikkan", "masyarakat": "warga", "petugas": "pegawai", "menggunakan": "memakai",
    "membantu": "memudahkan", "melalui": "lewat", "dilakukan": "dilaksanakan", "berkurang": "menurun",
    "sebagian": "beberapa", "permasalahan": "persoalan", "kendala": "hambatan", "sebesar": "senilai",
    "mencapai": "menyentuh", "tujuan": "sasaran", "diharapkan": "ditargetkan", "kemudian": "selanjutnya",
    "setiap": "tiap", "meliputi": "mencakup", "terkait": "berkaitan dengan", "hasil": "capaian",
    "mengembangkan": "membangun", "pelaksanaan": "penerapan", "rutin": "berkala", "cukup": "hanya perlu",
    "juga": "pun", "dapat": "bisa", "sehingga": "akibatnya", "namun": "akan tetapi", "tahap": "fase",
    "mendapat": "memperoleh", "jumlah": "banyaknya", "utama": "pokok", "lain": "lainnya",
}

_NAME_HEADS = ("Sistem", "Layanan", "Gerakan", "Program", "Aplikasi", "Sinergi", "Pojok", "Rumah", "Sahabat",
               "Kampung", "Jemput", "Klinik", "Gerai", "Pusat", "Forum", "Kartu", "Mobil", "Kelas", "Taman", "Bank")
_NAME_MIDS = ("Informasi", "Pelayanan", "Pendaftaran", "Antrian", "Pengaduan", "Terpadu", "Cepat", "Daring",
              "Digital", "Keliling", "Peduli", "Sehat", "Cerdas", "Ramah", "Tanggap", "Mandiri", "Bersama",
              "Pintar", "Aman", "Nyaman", "Kreatif", "Terintegrasi", "Elektronik", "Tuntas", "Gratis", "Malam",
              "Inklusif", "Gotong Royong", "Berkelanjutan", "Responsif", "Bersih", "Hijau", "Jujur", "Hebat")
_NAME_OBJECTS = {
    "sehat": ("Kesehatan", "Lansia", "Balita", "Ibu Hamil", "Gizi", "Posyandu", "Imunisasi", "Pasien", "Rujukan",
              "Obat", "Hipertensi", "Tuberkulosis", "Remaja", "Jiwa", "Gigi", "Keluarga", "Sanitasi", "Jantung"),
    "didik": ("Siswa", "Literasi", "Numerasi", "Perpustakaan", "Guru", "Orang Tua", "Karakter", "Belajar",
              "Membaca", "Sains", "Sekolah", "Rapor", "Kantin", "Prestasi", "Budaya", "Bahasa", "Matematika"),
    "admin": ("Kependudukan", "Dokumen", "Warga", "Surat", "Akta", "KTP", "Domisili", "Sampah", "Lingkungan",
              "UMKM", "Bansos", "Arsip", "Kampung", "Pemuda", "Posyandu", "Keamanan", "Disabilitas"),
    "pd": ("Perizinan", "Pajak", "Usaha", "Investasi", "Kendaraan", "Tenaga Kerja", "Bencana", "Informasi Publik",
           "Statistik", "Pangan", "Pasar", "Koperasi", "Parkir", "Retribusi", "Petani", "Data", "Transportasi"),
}


# --------------------------------------------------------------------------- the corpus


@dataclass(frozen=True, slots=True)
class _Unit:
    id: str
    name: str  # as written in the text
    category: str  # sd, smp, kelurahan, puskesmas, perangkat_daerah
    domain: str


@dataclass
class _Draft:
    """A proposal before rendering: blocks of ("head" | "template" | "para", section, sentences)."""

    unit: _Unit
    doc_type: str
    title: str | None  # "SI CANTIK (Sistem ...)" for Inovasi
    acronym: str | None
    expansion: str | None
    blocks: list[tuple[str, str, list[str]]]
    edition: str
    title_form: str | None = None  # how the cover writes the name: one of _TITLE_FORMS


@dataclass
class Corpus:
    current: list[DocText]
    prior: list[DocText]
    truth: dict[frozenset[str], DuplicateKind]  # planted pairs of documents and the kind expected
    title_truth: set[frozenset[str]]  # planted pairs with the same innovation name
    templated: set[str]  # documents that share only template text with others
    seconds: float = 0.0
    counts: Counter = field(default_factory=Counter)
    # planted pairs that share only a part of the name (an acronym, or a spelt-out name under two
    # acronyms): two innovations, never a title flag
    title_distinct: set[frozenset[str]] = field(default_factory=set)


def _units(rng: random.Random, n: int) -> list[_Unit]:
    places = list(_MALANG) + list(_ELSEWHERE)
    out: list[_Unit] = []
    seen: set[str] = set()
    kinds = ("sd", "sd", "sd", "sd", "smp", "kelurahan", "kelurahan", "puskesmas", "perangkat_daerah")
    while len(out) < n:
        category = rng.choice(kinds)
        place = rng.choice(places)
        if category == "sd":
            name, domain = f"SD Negeri {place} {rng.randint(1, 9)}", "didik"
        elif category == "smp":
            name, domain = f"SMP Negeri {rng.randint(1, 60)} {place}", "didik"
        elif category == "kelurahan":
            name, domain = f"Kelurahan {place}", "admin"
        elif category == "puskesmas":
            name, domain = f"UPT Puskesmas {place}", "sehat"
        else:
            dinas, domain = rng.choice(_DINAS)
            name = f"{dinas} {place}" if dinas == "Kecamatan" else f"{dinas} Kabupaten {place}"
        if name in seen:
            continue
        seen.add(name)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        out.append(_Unit(slug, name, category, domain))
    return out


class _Writer:
    """Fills sentence templates for one document's unit and topic."""

    def __init__(self, rng: random.Random, unit: _Unit, acronym: str | None, expansion: str | None, year: int):
        self.rng = rng
        self.unit = unit
        domain = _DOMAINS[unit.domain]
        # A document keeps to a few services, groups and tools, as a real proposal does.
        self.topic = {
            key: tuple(rng.sample(values, min(len(values), size)))
            for key, values, size in (
                ("svc", domain["svc"], 4), ("grp", domain["grp"], 3), ("prob", domain["prob"], 4),
                ("place", domain["place"], 3), ("errand", domain["errand"], 3), ("tool", _TOOLS, 3),
                ("partner", _PARTNERS, 4),
            )
        }
        # Each author words things their own way, consistently through the document.
        self.dialect = {word: rng.choice((word, *others)) for word, others in _VARIANTS.items()}
        self.acronym = acronym or rng.choice(("layanan ini", "program ini"))
        self.inov = f"{acronym} ({expansion})" if acronym else "inovasi ini"
        self.year = year

    def slot(self, name: str) -> str:
        r = self.rng
        if name in self.topic:
            return r.choice(self.topic[name])
        if name in _POOLS:
            return r.choice(_POOLS[name])
        match name:
            case "unit":
                return self.unit.name
            case "acr":
                return self.acronym
            case "inov":
                return self.inov
            case "n":
                return str(r.randint(12, 950))
            case "n2":
                return f"{r.randint(1, 40)}.{r.randint(0, 999):03d}"
            case "small":
                return str(r.randint(2, 14))
            case "pct":
                return f"{r.randint(5, 98)},{r.randint(0, 9)}"
            case "year":
                return str(self.year - r.randint(0, 3))
            case "sem":
                return r.choice(("I", "II"))
            case "score" | "score2":
                return f"{r.randint(62, 95)},{r.randint(0, 99):02d}"
            case "period":
                quarter = r.choice(("pertama", "kedua", "ketiga", "keempat"))
                return f"triwulan {quarter} tahun {self.year - r.randint(0, 2)}"
            case "dur" | "dur2":
                return f"{r.randint(2, 59)} {r.choice(('menit', 'jam', 'hari kerja', 'hari'))}"
            case "hours":
                return str(r.choice((8, 12, 24)))
            case "date":
                return f"{r.randint(1, 28)} {r.choice(_MONTHS)} {self.year - r.randint(0, 2)}"
            case "money":
                return f"{r.randint(1, 250)}.{r.randint(0, 999):03d}.000"
            case "clock" | "clock2":
                return f"{r.randint(7, 16):02d}.{r.choice(('00', '15', '30', '45'))}"
        raise KeyError(name)

    def _fill(self, template: str) -> str:
        parts = _PARSED.get(template) or _parse(template)
        return "".join(
            self.slot(p[1:]) if p[0] == "\0" else self.dialect[p[1:]] if p[0] == "\1" else p for p in parts
        )

    def sentence(self, template: str) -> str:
        out = self._fill(template)
        if self.rng.random() < 0.35 and out.endswith("."):
            tail = self.rng.choice(_TAILS)
            out = out[:-1] + self._fill(tail) + "."
        if self.rng.random() < 0.3 and not template.startswith("{"):
            out = self.rng.choice(_CONNECTORS) + out[0].lower() + out[1:]
        return out[0].upper() + out[1:]


_PARSED: dict[str, list[str]] = {}


def _parse(template: str) -> list[str]:
    """Literal text, "\0slot" for a slot, "\1word" for a word each author may put differently."""
    parts = []
    for i, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if i % 2:
            parts.append("\0" + piece)
            continue
        for j, bit in enumerate(re.split(r"\b([a-z]+)\b", piece)):
            if j % 2 and bit in _VARIANTS:
                parts.append("\1" + bit)
            elif bit:
                parts.append(bit)
    _PARSED[template] = parts
    return parts


# Acronyms many units choose, each spelling it out its own way: on a national edition a popular one
# is dozens of unrelated innovations. Chosen by this share of units, the first more often (Zipf).
_POPULAR_ACRONYMS = (
    "SIMPEL", "SI CANTIK", "LAPOR", "SIGAP", "SEHATI", "PINTAR", "SIMANIS", "GERCEP", "JEMPOL", "SIPANDU",
    "SIMONA", "SAKTI", "SIAGA", "SEMAR", "GEMAR", "BERSINAR", "SIJAGO", "SAHABAT", "SIKAT", "CERIA",
    "PRIMA", "SIMPATI", "KARTINI", "SINERGI", "SMART", "SIPENA", "E-LAPOR", "MANTAP", "TANGGAP", "SIKAP",
    "SEPAKAT", "SIKOMPAK", "PPINTAR", "SIDAK", "TEMAN", "JAMU SEHAT", "SI ANTRI", "LANCAR", "SIPKA", "BISA",
)
POPULAR_ACRONYM_SHARE = 0.22
_POPULAR_WEIGHTS = tuple(1 / (rank + 1) for rank in range(len(_POPULAR_ACRONYMS)))
# How covers write an innovation's name, with their shares: "ACR (name)", "name (ACR)", "ACR: name",
# the acronym with "(name)" on the next line, the spelt-out name alone, the acronym alone, and a
# generic title or the unit's own name where the name belongs.
_TITLE_FORMS = {"first": 0.33, "last": 0.2, "colon": 0.08, "two_lines": 0.12, "spelt": 0.14, "acronym": 0.08,
                "generic": 0.05}
_BOTH_FORMS = ("first", "last", "colon", "two_lines")  # forms that show the acronym and the name
_GENERIC_TITLES = ("Inovasi Pelayanan Publik", "Proposal Inovasi", "Program Inovasi Daerah",
                   "Inovasi Pelayanan Publik Tahun 2021")
# Heads and qualifiers of a name that stands without an acronym ("Gerakan Peduli Gizi Balita").
_NAMED_HEADS = ("Gerakan", "Pojok", "Rumah", "Sahabat", "Kampung", "Jemput", "Klinik", "Gerai", "Kelas", "Taman")
_NAMED_MIDS = ("Peduli", "Sehat", "Cerdas", "Ramah", "Tanggap", "Mandiri", "Bersama", "Kreatif", "Hebat", "Hijau")


def _name_key(expansion: str) -> str:
    """One key for one name whatever its word order or case."""
    return " ".join(sorted(expansion.lower().split()))


def _innovation_name(rng: random.Random, domain: str, taken: set[str], named: bool = False) -> tuple[str, str]:
    """A name such as "SIGAP LANSIA (Sistem Gerak Cepat Lansia)"; never a spelt-out name already taken.

    A share of units take a popular acronym (SIMPEL, SI CANTIK, LAPOR) and spell it out their own
    way; the others make an acronym of their own, never one already taken. `named` gives a name that
    stands without an acronym ("Gerakan Peduli Gizi Balita").
    """
    popular = rng.random() < POPULAR_ACRONYM_SHARE
    while True:
        if named:
            words = [rng.choice(_NAMED_HEADS), rng.choice(_NAMED_MIDS)]
        else:
            words = [rng.choice(_NAME_HEADS), rng.choice(_NAME_MIDS)]
        words += rng.sample(_NAME_OBJECTS[domain], rng.randint(1, 2))
        expansion = " ".join(words)
        if popular:
            acronym = rng.choices(_POPULAR_ACRONYMS, _POPULAR_WEIGHTS)[0]
        else:
            acronym = "".join(w[: rng.choice((1, 2, 2, 3))] for w in expansion.split()).upper()
            if rng.random() < 0.3:
                acronym = acronym[:2] + " " + acronym[2:]
        key = re.sub(r"[^A-Z]", "", acronym)
        if _name_key(expansion) in taken or not popular and not (4 <= len(key) <= 9 and key not in taken):
            continue
        taken.add(_name_key(expansion))
        if not popular:
            taken.add(key)
        return acronym, expansion


def _title_line(form: str, acronym: str, expansion: str, generic: str | None = None) -> str:
    """The innovation's name as the cover writes it (form: one of _TITLE_FORMS)."""
    match form:
        case "first":
            return f"{acronym} ({expansion})"
        case "last":
            return f"{expansion} ({acronym})"
        case "colon":
            return f"{acronym}: {expansion}"
        case "two_lines":
            return f"{acronym}\n({expansion})"
        case "spelt":
            return expansion
        case "acronym":
            return acronym
    return generic or _GENERIC_TITLES[0]


def _written_otherwise(expansion: str, rng: random.Random) -> str:
    """One name as another author writes it: other case, two words swapped, or a typo."""
    words = expansion.split()
    how = rng.randrange(4)
    if how == 0:
        return expansion.upper()
    if how == 1 and len(words) >= 3:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
        return " ".join(words)
    long = [i for i, w in enumerate(words) if len(w) >= 9]
    if how == 2 and long:
        i = rng.choice(long)
        cut = rng.randrange(2, len(words[i]) - 1)
        words[i] = words[i][:cut] + words[i][cut + 1 :]
        return " ".join(words)
    return expansion.lower().capitalize()


def _acronym_otherwise(acronym: str, rng: random.Random) -> str:
    """"SI CANTIK" as "SICANTIK" or "Si-Cantik"."""
    return rng.choice((acronym, acronym.replace(" ", ""), acronym.title().replace(" ", "-")))


def _cover_title(draft: _Draft, labelled: bool) -> str:
    """The cover line(s) naming the innovation; a name with no brackets is read after its label only."""
    line = _title_line(draft.title_form or "first", draft.acronym or "", draft.expansion or "", draft.title)
    return f"Nama Inovasi: {line}" if labelled or draft.title_form in ("spelt", "acronym", "generic") else line


def _read_title(form: str, acronym: str, expansion: str, generic: str | None = None) -> str:
    """What a reader takes for the name: the two-line form on one line."""
    return generic if form == "generic" and generic else _title_line(form, acronym, expansion).replace("\n", " ")


def _set_title(draft: _Draft, form: str, acronym: str, expansion: str, generic: str | None = None) -> None:
    """Give an Inovasi draft another name, on its cover too."""
    draft.title_form, draft.acronym, draft.expansion = form, acronym, expansion
    draft.title = _read_title(form, acronym, expansion, generic)
    labelled = draft.blocks[0][2][2].startswith("Nama Inovasi:")
    draft.blocks[0][2][2] = _cover_title(draft, labelled)


def _draft(rng: random.Random, unit: _Unit, doc_type: str, words: int, edition: str, taken: set[str]) -> _Draft:
    year = int(edition)
    if doc_type == "inovasi":
        form = rng.choices(list(_TITLE_FORMS), list(_TITLE_FORMS.values()))[0]
        acronym, expansion = _innovation_name(rng, unit.domain, taken, named=form == "spelt")
        generic = rng.choice((*_GENERIC_TITLES, unit.name)) if form == "generic" else None
        title = _read_title(form, acronym, expansion, generic)
        cover = ["PROPOSAL INOVASI PELAYANAN PUBLIK",
                 f"KOMPETISI INOVASI PELAYANAN PUBLIK (KIPP) KOTA MALANG TAHUN {edition}"]
        labelled = rng.random() < 0.25
        cover.append(_cover_title(_Draft(unit, doc_type, title, acronym, expansion, [], edition, form), labelled))
        sections = _INOVASI_SECTIONS
    else:
        form = acronym = expansion = title = None
        cover = ["PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK",
                 f"KOMPETISI INOVASI PELAYANAN PUBLIK (KIPP) KOTA MALANG TAHUN {edition}"]
        sections = _KINERJA_SECTIONS
    cover.append(unit.name.upper())
    blocks: list[tuple[str, str, list[str]]] = [("head", "cover", cover)]
    if doc_type == "kinerja":
        # Most copy the whole legal basis; some leave a paragraph out.
        regulations = [p for p in _REGULATIONS if rng.random() > 0.1]
        blocks.append(("head", "dasar", ["BAB I DASAR HUKUM"]))
        blocks += [("template", "dasar", [p]) for p in regulations]
        blocks.append(("template", "maklumat", [_MAKLUMAT]))
        rows = [f"{i}. {name}: {text}." for i, (name, text) in enumerate(_STANDARD_COMPONENTS, 1)]
        blocks.append(("head", "standar", ["Tabel 1. Komponen Standar Pelayanan", "No Komponen Uraian"]))
        blocks.append(("template", "standar", rows))
        skm = [f"U{i} {u} {rng.randint(300, 400) / 100:.2f} {rng.randint(75, 100)},{rng.randint(0, 99):02d} "
               f"{rng.choice(('A', 'B'))}" for i, u in enumerate(_SKM_UNSUR, 1)]
        heading = ["Tabel 2. Nilai Survei Kepuasan Masyarakat", "Unsur Nilai Rata-rata NRR Mutu"]
        blocks.append(("head", "skm", heading))
        blocks.append(("table", "skm", skm))
    writer = _Writer(rng, unit, acronym, expansion, year)
    school = doc_type == "inovasi" and unit.category in ("sd", "smp")
    fixed = sum(len(s.split()) for _, _, ss in blocks for s in ss)
    if school:
        fixed += sum(len(p.split()) for ps in _SCHOOL_TEMPLATE.values() for p in ps)
    per_section = max(30, (words - fixed) // len(sections))
    for section, templates in sections.items():
        blocks.append(("head", section, [section]))
        if school and section in _SCHOOL_TEMPLATE:
            blocks += [("template", section, [p]) for p in _SCHOOL_TEMPLATE[section]]
        written = 0
        while written < per_section:
            sentences = [writer.sentence(rng.choice(templates)) for _ in range(rng.randint(3, 6))]
            written += sum(s.count(" ") + 1 for s in sentences)
            blocks.append(("para", section, sentences))
    return _Draft(unit, doc_type, title, acronym, expansion, blocks, edition, form)


def _render(draft: _Draft) -> str:
    """The text of a DOCX: one paragraph per line."""
    lines = []
    for kind, _, sentences in draft.blocks:
        if kind == "para":
            lines.append(" ".join(sentences))
        else:  # headings, table rows, template paragraphs
            lines += sentences
    return "\n".join(lines)


def _as_pdf(text: str, rng: random.Random, footers: bool) -> str:
    """The same text as a PDF extractor gives it: wrapped lines, hyphenated words, page footers."""
    width = rng.randint(70, 95)
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            if len(line) + len(word) + 1 <= width:
                line = f"{line} {word}" if line else word
                continue
            if len(word) >= 8 and word.isalpha() and rng.random() < 0.5:
                cut = rng.randint(3, len(word) - 3)
                out.append(f"{line} {word[:cut]}-" if line else f"{word[:cut]}-")
                line = word[cut:]
            else:
                out.append(line)
                line = word
        out.append(line)
    if footers:
        paged = []
        for i, line in enumerate(out, 1):
            paged.append(line)
            if i % 45 == 0:
                paged.append(f"Halaman {i // 45}")
        out = paged
    return "\n".join(out)


def _copy(draft: _Draft, unit: _Unit, rng: random.Random, edit_share: float, rename: bool,
          taken: set[str]) -> _Draft:
    """Another unit's proposal made from this one: names changed, a share of sentences edited."""
    old_names = [(draft.unit.name, unit.name), (draft.unit.name.upper(), unit.name.upper())]
    acronym, expansion, title = draft.acronym, draft.expansion, draft.title
    if rename and draft.acronym:
        acronym, expansion = _innovation_name(rng, unit.domain, taken)
        old_names += [(f"{draft.acronym} ({draft.expansion})", f"{acronym} ({expansion})"),
                      (f"{draft.expansion} ({draft.acronym})", f"{expansion} ({acronym})"),
                      (draft.acronym, acronym)]
        title = f"{acronym} ({expansion})"
        if draft.title_form:
            old_names.insert(0, (draft.blocks[0][2][2], _cover_title(
                replace(draft, title_form=draft.title_form, acronym=acronym, expansion=expansion),
                draft.blocks[0][2][2].startswith("Nama Inovasi:"))))
            title = _read_title(draft.title_form, acronym, expansion, draft.title)

    def rename_all(s: str) -> str:
        for old, new in old_names:
            s = s.replace(old, new)
        return s

    blocks = [(kind, section, [rename_all(s) for s in sentences]) for kind, section, sentences in draft.blocks]
    writer = _Writer(rng, unit, acronym, expansion, int(draft.edition))
    pools = {**_INOVASI_SECTIONS, **_KINERJA_SECTIONS}
    own = [(b, s) for b, (kind, _, sentences) in enumerate(blocks) if kind == "para" for s in range(len(sentences))]
    chosen = rng.sample(own, round(edit_share * len(own)))
    additions: list[tuple[int, int, str]] = []
    for b, s in chosen:
        kind, section, sentences = blocks[b]
        op = rng.choices(("rewrite", "paraphrase", "add"), weights=(0.4, 0.35, 0.25))[0]
        if op == "paraphrase":
            edited = _paraphrase(sentences[s], rng)
            if edited != sentences[s]:
                sentences[s] = edited
                continue
            op = "rewrite"
        new = writer.sentence(rng.choice(pools[section]))
        if op == "rewrite":
            sentences[s] = new
        else:
            additions.append((b, s, new))
    for b, s, new in sorted(additions, reverse=True):
        blocks[b][2].insert(s + 1, new)
    # Reordering: paragraphs within a section, sentences within some paragraphs.
    if rng.random() < 0.6:
        by_section: dict[str, list[int]] = {}
        for b, (kind, section, _) in enumerate(blocks):
            if kind == "para":
                by_section.setdefault(section, []).append(b)
        for at in by_section.values():
            moved = [blocks[b] for b in at]
            rng.shuffle(moved)
            for b, block in zip(at, moved, strict=True):
                blocks[b] = block
    for kind, _, sentences in blocks:
        if kind == "para" and rng.random() < 0.3:
            rng.shuffle(sentences)
    return _Draft(unit, draft.doc_type, title, acronym, expansion, blocks, draft.edition, draft.title_form)


def _paraphrase(sentence: str, rng: random.Random) -> str:
    words = sentence.split(" ")
    swappable = [i for i, w in enumerate(words) if w.lower().strip(",.") in _SYNONYMS]
    for i in rng.sample(swappable, min(len(swappable), 3)):
        bare = words[i].strip(",.")
        repl = _SYNONYMS[bare.lower()]
        words[i] = words[i].replace(bare, repl.capitalize() if bare[0].isupper() else repl)
    out = " ".join(words)
    return re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), out, count=2)


def generate_corpus(n_docs: int, words: int, seed: int = 0, n_prior: int | None = None,
                    edition: str = "2021") -> Corpus:
    """About n_docs current documents (two per unit) and an archive of earlier editions, with truth."""
    started = time.perf_counter()
    rng = random.Random(seed)
    n_units = max(8, n_docs // 2)
    n_prior = n_docs // 4 if n_prior is None else n_prior
    units = _units(rng, n_units + max(4, n_prior // 2))
    current_units, other_units = units[:n_units], units[n_units:]
    taken: set[str] = set()
    drafts: dict[tuple[str, str], _Draft] = {}
    for unit in current_units:
        for doc_type in ("inovasi", "kinerja"):
            drafts[(unit.id, doc_type)] = _draft(rng, unit, doc_type, words, edition, taken)

    # The archive: earlier editions of units that take part again, and of units that do not.
    prior_drafts: list[_Draft] = []
    pool = current_units + other_units
    for i in range(n_prior):
        unit = pool[rng.randrange(len(pool))] if i % 2 else other_units[i % len(other_units)]
        prior_drafts.append(_draft(rng, unit, rng.choice(("inovasi", "kinerja")), words,
                                   rng.choice(("2019", "2020")), taken))

    # Roles for planted pairs, each on units of its own.
    order = list(current_units)
    rng.shuffle(order)
    busy: set[str] = set()

    def take() -> _Unit:
        while order[-1].id in busy:
            order.pop()
        busy.add(order[-1].id)
        return order.pop()

    n_families = max(2, n_docs // 40)
    truth: dict[frozenset[str], DuplicateKind] = {}
    title_truth: set[frozenset[str]] = set()
    formats: dict[tuple[str, str], str] = {key: rng.choice(("pdf", "docx")) for key in drafts}
    counts: Counter = Counter()

    def path_of(unit: _Unit, doc_type: str, fmt: str, extra: str = "") -> str:
        label = "Inovasi" if doc_type == "inovasi" else "Kinerja"
        return f"{unit.id}/Proposal {label} {unit.name}{extra}.{fmt}"

    copy_family: list[list[tuple[str, str]]] = []
    for _ in range(n_families):
        source = take()
        doc_type = rng.choice(("inovasi", "kinerja"))
        family = [(source.id, doc_type)]
        for _ in range(2 if rng.random() < 0.2 else 1):  # a fifth of the sources are copied twice
            copier = take()
            drafts[(copier.id, doc_type)] = _copy(drafts[(source.id, doc_type)], copier, rng,
                                                  rng.uniform(0.2, 0.4), rng.random() < 0.5, taken)
            family.append((copier.id, doc_type))
        copy_family.append(family)
        counts["copy families"] += 1
        counts["copies"] += len(family) - 1

    exact: list[tuple[tuple[str, str], tuple[str, str]]] = []
    for _ in range(max(1, n_docs // 200)):
        source, copier = take(), take()
        doc_type = rng.choice(("inovasi", "kinerja"))
        exact.append(((source.id, doc_type), (copier.id, doc_type)))
        counts["exact copies"] += 1

    other_format: list[tuple[tuple[str, str], tuple[str, str] | None]] = []
    for i in range(max(2, n_docs // 150)):
        source = take()
        doc_type = rng.choice(("inovasi", "kinerja"))
        copier = take() if i % 3 == 2 else None  # most are one unit's PDF and DOCX
        other_format.append(((source.id, doc_type), (copier.id, doc_type) if copier else None))
        counts["cross-format pairs"] += 1

    resubmitted: list[tuple[tuple[str, str], int]] = []
    current_ids = {u.id for u in current_units}
    candidates = list(range(len(prior_drafts)))
    rng.shuffle(candidates)
    n_resubmitted = max(1, n_docs // 60)
    # Mostly a unit entering its own old innovation again; sometimes another unit's.
    own = [p for p in candidates if prior_drafts[p].unit.id in current_ids][: round(0.7 * n_resubmitted)]
    others = [p for p in candidates if p not in own][: n_resubmitted - len(own)]
    for p in own + others:
        old = prior_drafts[p]
        same = p in own and old.unit.id not in busy
        if same:
            busy.add(old.unit.id)
        unit = old.unit if same else take()
        light = rng.random() < 0.25  # entered again unchanged
        new = _copy(old, unit, rng, 0.0 if light else rng.uniform(0.1, 0.3), False, taken)
        new.edition = edition
        drafts[(unit.id, old.doc_type)] = new
        resubmitted.append(((unit.id, old.doc_type), p))
        counts["prior resubmissions"] += 1
        counts["by the same unit"] += same

    # Planted names: half the pairs share the whole name, written another way (truth); the other
    # half share only a part of it (one acronym spelt out two ways, one name under two acronyms),
    # which must not flag.
    same_name: list[tuple[str, str]] = []
    part_name: list[tuple[str, str]] = []
    for i in range(max(4, n_docs // 50)):
        first, second = take(), take()
        a, b = drafts[(first.id, "inovasi")], drafts[(second.id, "inovasi")]
        variant = i % 4
        if variant == 2:  # the same long name, no acronym on either side
            acronym, expansion = _innovation_name(rng, first.domain, taken, named=True)
            _set_title(a, "spelt", acronym, expansion)
            _set_title(b, "spelt", acronym, _written_otherwise(expansion, rng))
            same_name.append((first.id, second.id))
            counts["same-name pairs"] += 1
            continue
        if a.title_form not in _BOTH_FORMS:
            _set_title(a, "first", a.acronym, a.expansion)
        form = rng.choice(_BOTH_FORMS)
        if variant == 1:  # the same name and acronym, written another way
            _set_title(b, form, _acronym_otherwise(a.acronym, rng), _written_otherwise(a.expansion, rng))
            same_name.append((first.id, second.id))
            counts["same-name pairs"] += 1
            continue
        if variant == 0:  # the same acronym, another spelt-out name: another innovation
            _set_title(b, form, a.acronym, b.expansion)
        else:  # the same spelt-out name under another acronym: not the whole name either
            differ = re.sub(r"[^A-Z]", "", b.acronym) != re.sub(r"[^A-Z]", "", a.acronym)
            other = b.acronym if differ else "X" + a.acronym
            _set_title(b, form, other, a.expansion)
        part_name.append((first.id, second.id))
        counts["same-part-of-name pairs"] += 1

    # Render every draft; a PDF's text is wrapped and hyphenated.
    texts: dict[tuple[str, str], str] = {}
    for key, draft in drafts.items():
        plain = _render(draft)
        texts[key] = _as_pdf(plain, rng, rng.random() < 0.3) if formats[key] == "pdf" else plain

    current: list[DocText] = []
    paths: dict[tuple[str, str], str] = {}
    unit_by_id = {u.id: u for u in current_units}

    def emit(key: tuple[str, str], text: str, fmt: str, sha: str | None = None, extra: str = "") -> str:
        unit = unit_by_id[key[0]]
        path = path_of(unit, key[1], fmt, extra)
        draft = drafts[key]
        title = draft.title if (draft.title and rng.random() < 0.4) else None
        digest = sha or hashlib.sha256(f"{fmt}\n{text}".encode()).hexdigest()
        current.append(DocText(path, digest, text, unit.id, DocType(key[1]), title=title, format=InputFormat(fmt)))
        return path

    exact_copiers = {copier: source for source, copier in exact}
    other_copiers = {copier: source for source, copier in other_format if copier}
    for key in drafts:
        if key in exact_copiers or key in other_copiers:
            continue
        paths[key] = emit(key, texts[key], formats[key])
    for source, copier in exact:
        doc = next(d for d in current if d.path == paths[source])
        paths[copier] = emit(copier, doc.text, doc.format, sha=doc.sha256)
        truth[frozenset((paths[source], paths[copier]))] = DuplicateKind.EXACT
    for source, copier in other_format:
        plain = _render(drafts[source])
        fmt = "docx" if formats[source] == "pdf" else "pdf"
        text = _as_pdf(plain, rng, rng.random() < 0.5) if fmt == "pdf" else plain
        if copier:
            paths[copier] = emit(copier, text, fmt)
            truth[frozenset((paths[source], paths[copier]))] = DuplicateKind.CROSS_FORMAT
        else:
            extra_path = emit(source, text, fmt, extra=" (final)")
            truth[frozenset((paths[source], extra_path))] = DuplicateKind.CROSS_FORMAT
    for family in copy_family:
        for x, y in itertools.combinations(family, 2):
            truth[frozenset((paths[x], paths[y]))] = DuplicateKind.NEAR

    prior: list[DocText] = []
    prior_paths = []
    for i, draft in enumerate(prior_drafts):
        fmt = rng.choice(("pdf", "docx"))
        plain = _render(draft)
        text = _as_pdf(plain, rng, False) if fmt == "pdf" else plain
        label = "Inovasi" if draft.doc_type == "inovasi" else "Kinerja"
        path = f"prior/{draft.edition}/{draft.unit.id}/Proposal {label} {i}.{fmt}"
        prior_paths.append(path)
        prior.append(DocText(path, hashlib.sha256(f"{fmt}\n{text}".encode()).hexdigest(), text, draft.unit.id,
                             DocType(draft.doc_type), edition=draft.edition, format=InputFormat(fmt)))
    for key, p in resubmitted:
        truth[frozenset((paths[key], prior_paths[p]))] = DuplicateKind.PRIOR_EDITION
    for first, second in same_name:
        title_truth.add(frozenset((paths[(first, "inovasi")], paths[(second, "inovasi")])))
    title_distinct = {frozenset((paths[(first, "inovasi")], paths[(second, "inovasi")])) for first, second in part_name}

    in_truth = {p for pair in truth for p in pair} | {p for pair in title_truth | title_distinct for p in pair}
    templated = {
        d.path for d in current + prior
        if d.path not in in_truth
        and (d.doc_type == "kinerja" or (d.participant_id and d.participant_id.startswith(("sd-", "smp-"))))
    }
    counts["current documents"] = len(current)
    counts["prior documents"] = len(prior)
    return Corpus(current, prior, truth, title_truth, templated, time.perf_counter() - started, counts,
                  title_distinct)
